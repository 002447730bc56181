package main

import (
	"fmt"
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
	seen := 0
	eachSecret(reflect.ValueOf(cfg), "config", func(where string, s secret) {
		seen++
		name, found := strings.CutPrefix(s.Reveal(), "value-of-")
		if !found {
			t.Errorf("%s is a secret read from no variable we can see", where)
			return
		}
		if !isSecretEnv(name) {
			t.Errorf("%s comes from %s, which childEnviron would pass to the editor", where, name)
		}
	})
	if seen == 0 {
		t.Fatal("no secret found in the config: the walk is broken")
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

// eachSecret calls f for every secret in v, also inside structs and
// slices (config.PageTokens holds the Page tokens).
func eachSecret(v reflect.Value, where string, f func(string, secret)) {
	if s, ok := v.Interface().(secret); ok {
		f(where, s)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				eachSecret(v.Field(i), where+"."+v.Type().Field(i).Name, f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			eachSecret(v.Index(i), fmt.Sprintf("%s[%d]", where, i), f)
		}
	}
}
