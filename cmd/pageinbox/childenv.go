package main

import "strings"

// secretEnv names every variable that carries a credential pageinbox reads:
// the config's secrets and the API token. A new secret in configFromEnv
// belongs here too (TestSecretEnvCoversTheConfig checks).
var secretEnv = []string{
	"PAGE_ACCESS_TOKEN",
	"APP_SECRET",
	"VERIFY_TOKEN",
	"WEBHOOK_VERIFY_TOKEN",
	"PAGEINBOX_API_TOKEN",
	"FB_USER_TOKEN",
}

// childEnviron is environ without the secrets: the whole environment of
// any program the TUI starts (the editor), which has no use for them and
// may be a shell away from whoever sits at it. Names match exactly, as the
// environment is case-sensitive.
func childEnviron(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !isSecretEnv(name) {
			out = append(out, kv)
		}
	}
	return out
}

func isSecretEnv(name string) bool {
	for _, s := range secretEnv {
		if name == s {
			return true
		}
	}
	return false
}
