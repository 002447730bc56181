package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// setupHealthcheck is `pageinbox healthcheck`: the probe a container runs
// (the image has no shell, curl or wget). It GETs /healthz on the daemon's
// --listen address and exits 0 only for a 200.
func setupHealthcheck(fs *flag.FlagSet) runFunc {
	url := fs.String("url", "", "the `URL` to probe (default: /healthz on --listen, unspecified hosts as 127.0.0.1)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	return func(ctx context.Context, env cmdEnv) error {
		target := *url
		if target == "" {
			target = healthzURL(env.cfg.Listen)
		}
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		return probe(ctx, target, env.stdout)
	}
}

// healthzURL is /healthz on the address serve listens on: ":8080" and
// "0.0.0.0:8080" are probed on loopback.
func healthzURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen + "/healthz" // check() has already refused a bad --listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}

func probe(ctx context.Context, url string, out io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s: %q", url, resp.Status, text)
	}
	fmt.Fprintf(out, "%s: %s\n", url, text)
	return nil
}
