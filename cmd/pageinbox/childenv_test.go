package main

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestChildEnvironDropsSecrets(t *testing.T) {
	in := []string{
		"HOME=/home/ana", "PATH=/usr/bin", "EDITOR=vim",
		"PAGE_ACCESS_TOKEN=EAAB", "APP_SECRET=s", "VERIFY_TOKEN=v", "WEBHOOK_VERIFY_TOKEN=w", "PAGEINBOX_API_TOKEN=t",
		"page_access_token=lower", // another variable: names are case-sensitive
		"APP_SECRET_FILE=/run/x",  // not the secret itself
		"PAGE_ACCESS_TOKEN",       // malformed, still the name
	}
	got := childEnviron(in)
	want := []string{"HOME=/home/ana", "PATH=/usr/bin", "EDITOR=vim", "page_access_token=lower", "APP_SECRET_FILE=/run/x"}
	if !slices.Equal(got, want) {
		t.Errorf("childEnviron =\n%q\nwant\n%q", got, want)
	}
}

// Every credential the config reads from the environment is in
// secretEnv: each variable configFromEnv asks for is given a value of its
// own, and any secret field of the config holding it names a secret.
func TestSecretEnvCoversTheConfig(t *testing.T) {
	var asked []string
	cfg := configFromEnv(func(name string) string {
		asked = append(asked, name)
		return "value-of-" + name
	})
	v := reflect.ValueOf(cfg)
	for i := range v.NumField() {
		s, ok := v.Field(i).Interface().(secret)
		if !ok {
			continue
		}
		name, found := strings.CutPrefix(s.Reveal(), "value-of-")
		if !found {
			t.Errorf("config.%s is a secret read from no variable we can see", v.Type().Field(i).Name)
			continue
		}
		if !isSecretEnv(name) {
			t.Errorf("config.%s comes from %s, which childEnviron would pass to the editor", v.Type().Field(i).Name, name)
		}
	}
	// WEBHOOK_VERIFY_TOKEN is read only when VERIFY_TOKEN is empty.
	cfg = configFromEnv(func(name string) string {
		if name == "WEBHOOK_VERIFY_TOKEN" {
			return "w"
		}
		return ""
	})
	if cfg.VerifyToken.Reveal() != "w" || !isSecretEnv("WEBHOOK_VERIFY_TOKEN") || !isSecretEnv("PAGEINBOX_API_TOKEN") {
		t.Error("WEBHOOK_VERIFY_TOKEN or PAGEINBOX_API_TOKEN would reach the editor")
	}
	if len(asked) == 0 {
		t.Fatal("configFromEnv read no variable")
	}
}
