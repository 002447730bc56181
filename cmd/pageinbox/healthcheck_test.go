package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheckExitsByTheAnswer(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	env := map[string]string{"HOME": t.TempDir()}
	if code, out, errOut := runCLI(t, env, "healthcheck", "--url", srv.URL+"/healthz"); code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("a 200: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// --listen is where serve listens: the probe goes there by default.
	listen := strings.TrimPrefix(srv.URL, "http://")
	if code, _, errOut := runCLI(t, env, "healthcheck", "--listen", listen); code != 0 {
		t.Errorf("probing --listen %s: exit %d: %s", listen, code, errOut)
	}
	status = http.StatusServiceUnavailable
	if code, _, errOut := runCLI(t, env, "healthcheck", "--url", srv.URL+"/healthz"); code == 0 || !strings.Contains(errOut, "503") {
		t.Errorf("a 503: exit %d, stderr %q", code, errOut)
	}
	srv.Close()
	if code, _, _ := runCLI(t, env, "healthcheck", "--url", srv.URL+"/healthz", "--timeout", "2s"); code == 0 {
		t.Error("nothing listening: exit 0")
	}
}

func TestHealthzURL(t *testing.T) {
	for listen, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/healthz",
		"[::]:9000":      "http://127.0.0.1:9000/healthz",
		"10.0.0.5:8080":  "http://10.0.0.5:8080/healthz",
		"localhost:8080": "http://localhost:8080/healthz",
	} {
		if got := healthzURL(listen); got != want {
			t.Errorf("healthzURL(%q) = %q, want %q", listen, got, want)
		}
	}
}
