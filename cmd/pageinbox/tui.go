package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui"
	"github.com/pageinbox/pageinbox/tui/compose"
	"github.com/pageinbox/pageinbox/tui/thread"
	"github.com/pageinbox/pageinbox/webhook"
)

// runTUI is what `pageinbox` with no command does: open the inbox, with
// the webhook served in the background and replies sent through the
// Graph API.
func runTUI(ctx context.Context, cfg config) error {
	if !isTerminal() {
		return errNoTerminal
	}
	// A daemon owns the data file: attach to it instead.
	client, err := attach(ctx, cfg, thisAgent(cfg))
	if err != nil {
		return err
	}
	if client != nil {
		defer client.Close()
		log, closeLog, err := fileLogger(cfg)
		if err != nil {
			return err
		}
		defer closeLog()
		return runProgram(ctx, client, client.Agent(), log, cfg, pictures(cfg, log))
	}
	return runInbox(ctx, cfg, inboxOptions{})
}

var errNoTerminal = errors.New("the inbox needs a terminal; in scripts use a command (pageinbox --help lists them)")

func isTerminal() bool { return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) }

// runProgram runs the TUI on a backend until the user quits. It runs on
// the agent's own machine (in-process or attached), so it may start the
// editor, with the secrets taken out of its environment.
func runProgram(ctx context.Context, b tui.Backend, agent store.Agent, log *slog.Logger, cfg config, pics thread.Pictures) error {
	m := tui.New(cfg.look().apply(localOptions(cfg, tui.Options{Backend: b, Logger: log, Agent: agent, Pictures: pics})))
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx))
	_, err := p.Run()
	// Ended by a signal rather than q: keep the draft, leave the thread.
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if cerr := m.Close(cctx); cerr != nil {
		log.Warn("tui: closing the session", "err", cerr)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// inboxOptions vary the wiring between the real inbox and the demo.
type inboxOptions struct {
	listener net.Listener // the webhook's; nil: listen on cfg.Listen
	onReady  func(svc *inbox.Service) error
}

// runInbox wires store, webhook, dispatcher and name lookups to the TUI
// and runs it until the user quits.
func runInbox(ctx context.Context, cfg config, o inboxOptions) error {
	if !isTerminal() {
		return errNoTerminal
	}
	log, closeLog, err := fileLogger(cfg)
	if err != nil {
		return err
	}
	defer closeLog()
	st, err := openStore(cfg, "tui", time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	svc := startService(ctx, cfg, st, log)
	defer func() { stop(); svc.Wait() }() // before the store closes
	if err := registerPages(ctx, cfg, st); err != nil {
		return err
	}
	if cfg.AppSecret.Reveal() != "" {
		ln := o.listener
		if ln == nil {
			if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
				return fmt.Errorf("webhook: listen on %s: %w (another pageinbox serving? use --listen)", cfg.Listen, err)
			}
		}
		hook := newWebhook(cfg, st, svc, log, false)
		showWebhook(svc, hook, ln.Addr().String())
		go func() {
			if err := webhook.Serve(ctx, ln, hook, log); err != nil {
				log.Error("webhook server stopped", "err", err)
			}
		}()
	}
	if o.onReady != nil {
		if err := o.onReady(svc); err != nil {
			return err
		}
	}
	return runProgram(ctx, svc, svc.Agent, log, cfg, pictures(cfg, log))
}

// localOptions completes o for a TUI on the agent's own machine: it writes
// to this terminal, and may start programs (the editor, the opener, the
// notify command) with the secrets taken out of their environment.
func localOptions(cfg config, o tui.Options) tui.Options {
	o.Bell = bell(cfg)
	o.Programs = &tui.Programs{Env: childEnv()}
	o.Files = compose.LocalFiles{}
	o.Clipboard = func(text string) { os.Stdout.Write(tui.OSC52(text)) }
	o.Notify = cfg.Notify
	o.Terminal = func(seq []byte) { os.Stdout.Write(seq) }
	return o
}

// bell rings the terminal for new messages unless PAGEINBOX_BELL=0.
func bell(cfg config) func() {
	if !cfg.Bell {
		return nil
	}
	return func() { os.Stdout.Write([]byte{'\a'}) }
}

// fileLogger logs to tui.log in the data dir: the TUI owns the terminal.
func fileLogger(cfg config) (*slog.Logger, func(), error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(cfg.DataDir, "tui.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})), func() { f.Close() }, nil
}
