package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

const templatesUsage = "usage: pageinbox templates sync | templates list [--json]"

// setupTemplates reads the Page's Utility Message templates from Meta
// (sync) and shows the stored ones (list). Only approved UTILITY ones
// can be sent, outside the 24 h window, never for marketing.
func setupTemplates(fs *flag.FlagSet) runFunc {
	asJSON := fs.Bool("json", false, "list: one JSON object per line")
	return func(ctx context.Context, env cmdEnv) error {
		pos, err := (&teamFlags{fs: fs}).args(env.args) // flags after the verb too
		if err != nil {
			return err
		}
		verb := "list"
		if len(pos) > 0 {
			verb = pos[0]
		}
		if len(pos) > 1 || (verb != "list" && verb != "sync") {
			return errors.New(templatesUsage)
		}
		st, err := openStore(env.cfg, "templates", time.Second)
		if err != nil {
			return err
		}
		defer st.Close()
		if verb == "sync" {
			return syncTemplates(ctx, env, st)
		}
		return listTemplates(ctx, env, st, *asJSON)
	}
}

func syncTemplates(ctx context.Context, env cmdEnv, st *store.Store) error {
	gc, err := newGraphClient(env.cfg)
	if err != nil {
		return err
	}
	pageID, err := inbox.ResolvePage(ctx, env.cfg.PageID, st, gc)
	if err != nil {
		return err
	}
	if err := st.EnsurePages(ctx, []string{pageID}); err != nil {
		return err
	}
	ts, err := fbgraph.SyncTemplates(ctx, gc, st, pageID)
	var ge *fbgraph.Error
	if errors.As(err, &ge) && ge.Class == fbgraph.ClassUtilityUnavailable {
		return errors.New(ge.Reason())
	}
	if err != nil {
		return err
	}
	ok := 0
	for _, t := range ts {
		if t.Sendable() {
			ok++
		}
	}
	fmt.Fprintf(env.stdout, "synced %d templates (%d approved UTILITY, sendable outside the 24 h window)\n", len(ts), ok)
	return nil
}

func listTemplates(ctx context.Context, env cmdEnv, st *store.Store, asJSON bool) error {
	pages, err := st.Pages(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "NAME\tLANGUAGE\tSTATUS\tCATEGORY\tPARAMETERS")
	}
	n := 0
	for _, p := range pages {
		if env.cfg.PageID != "" && p.ID != env.cfg.PageID {
			continue
		}
		list, err := st.Templates(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, t := range list {
			n++
			if asJSON {
				if err := writeJSONLine(env.stdout, t); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inert.Line(t.Name), inert.Line(t.Lang), inert.Line(t.Status),
				inert.Line(t.Category), inert.Line(strings.Join(t.Params, ",")))
		}
	}
	if n == 0 && !asJSON {
		fmt.Fprintln(env.stderr, "no templates (pageinbox templates sync)")
		return nil
	}
	if asJSON {
		return nil
	}
	return tw.Flush()
}

// templateParams reads --param NAME=VALUE flags: NAME is 1, 2, ... for a
// positional template, else the parameter's name.
func templateParams(list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range list {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %q: want NAME=VALUE (NAME is 1, 2, ... or the parameter's name)", p)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--param %s given twice", name)
		}
		out[name] = value
	}
	return out, nil
}

// templateFlags are send's --template NAME [--lang CODE] --param NAME=VALUE.
type templateFlags struct {
	name, lang *string
	params     stringList
}

func addTemplateFlags(fs *flag.FlagSet) *templateFlags {
	tf := &templateFlags{
		name: fs.String("template", "", "send approved Utility template `NAME` (pageinbox templates list), also outside the 24 h window"),
		lang: fs.String("lang", "en_US", "the template's language `CODE`"),
	}
	fs.Var(&tf.params, "param", "template parameter `NAME=VALUE` (repeatable; NAME is 1, 2, ... for positional templates)")
	return tf
}

// send is the template to send, nil without --template.
func (tf *templateFlags) send() (*store.TemplateSend, error) {
	if *tf.name == "" {
		if len(tf.params) > 0 {
			return nil, errors.New("--param goes with --template")
		}
		return nil, nil
	}
	params, err := templateParams(tf.params)
	if err != nil {
		return nil, err
	}
	return &store.TemplateSend{Name: *tf.name, Lang: *tf.lang, Params: params}, nil
}
