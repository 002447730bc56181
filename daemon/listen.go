package daemon

import (
	"fmt"
	"log/slog"
	"net"
)

// Listen listens for attached clients on addr: on loopback unless public,
// since the API token travels in every request.
func Listen(addr string, public bool, log *slog.Logger) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--api-listen %q: want host:port", addr)
	}
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if !loopback && !public {
		return nil, fmt.Errorf("--api-listen %s is not a loopback address: the API token would cross the network in clear; "+
			"put TLS in front and pass --api-public, or reach it through SSH", addr)
	}
	if !loopback {
		log.Warn("API listening beyond loopback: make sure TLS terminates in front of it", "addr", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("API: listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Dialable turns a listening address into one a local client can dial.
func Dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
