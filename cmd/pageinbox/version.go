package main

import "runtime/debug"

// version is set at release time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/pageinbox
var version = "dev"

// versionString prefers the linker-set version, then the module version that
// `go install github.com/pageinbox/pageinbox/cmd/pageinbox@v1.2.3` records.
func versionString() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}
