module github.com/pageinbox/pageinbox

go 1.26.8

require (
	go.etcd.io/bbolt v1.4.3
	golang.org/x/time v0.16.0
)

require golang.org/x/sys v0.38.0 // indirect
