package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/pageinbox/pageinbox/store"
)

// setupBackup writes a consistent copy of the data file, through the
// daemon while it runs, or from the file when none does.
func setupBackup(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "replace FILE if it exists")
	return func(ctx context.Context, env cmdEnv) error {
		if len(env.args) == 0 {
			return errors.New("usage: pageinbox backup [--force] FILE")
		}
		// Flags may follow the file too: backup FILE --force.
		if err := fs.Parse(env.args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q: one FILE only", fs.Arg(0))
		}
		dst := env.args[0]
		var n int64
		info, err := writeBackup(dst, *force, func(w io.Writer) error {
			return throughDaemon(ctx, env.cfg, "backup",
				func(wsURL string) error {
					var err error
					n, err = backupRemote(ctx, env.cfg, wsURL, w)
					return err
				},
				func(st *store.Store) error {
					var err error
					n, err = st.Backup(ctx, w)
					return err
				})
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "backed up to %s: %.1f MB, %d conversations, %d messages (schema %d); bbolt's check passed\n",
			dst, float64(n)/1e6, info.Conversations, info.Messages, info.Schema)
		return nil
	}
}

func backupRemote(ctx context.Context, cfg config, wsURL string, w io.Writer) (int64, error) {
	resp, err := daemonHTTP(ctx, cfg, wsURL, http.MethodGet, "/backup", nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// A copy may already have begun to arrive: a failure now is not one
	// to retry on the file, which the daemon still holds.
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("backup through the daemon was cut short after %d bytes: %v", n, err)
	}
	return n, nil
}

// writeBackup has fill write the copy into a new file (mode 0600) beside
// dst, syncs it, checks it with bbolt, and only then puts it in place:
// dst is never a half-written or damaged copy. Without force, an existing
// dst is refused, even one that appears meanwhile.
func writeBackup(dst string, force bool, fill func(io.Writer) error) (info store.BackupInfo, err error) {
	if !force {
		if _, err := os.Lstat(dst); err == nil {
			return info, fmt.Errorf("%s exists; pass --force to replace it", dst)
		}
	}
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if err := writeSynced(tmp, fill); err != nil {
		return info, err
	}
	if info, err = store.VerifyBackup(tmp.Name()); err != nil {
		return info, fmt.Errorf("backup: the copy failed its check, nothing was written to %s: %w", dst, err)
	}
	if err := place(tmp.Name(), dst, force); err != nil {
		return info, err
	}
	return info, syncDir(dir)
}

// writeSynced fills f (mode 0600), syncs and closes it.
func writeSynced(f *os.File, fill func(io.Writer) error) error {
	err := f.Chmod(0o600)
	if err == nil {
		err = fill(f)
	}
	if err == nil {
		if err = f.Sync(); err != nil {
			err = fmt.Errorf("backup: sync: %w", err)
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("backup: %w", cerr)
	}
	return err
}

// place moves the finished copy to dst. Without force a hard link puts it
// there only if dst does not exist; a file system without hard links gets
// a check and a rename.
func place(tmp, dst string, force bool) error {
	if force {
		return os.Rename(tmp, dst)
	}
	err := os.Link(tmp, dst)
	if err == nil {
		return os.Remove(tmp)
	}
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; pass --force to replace it", dst)
	}
	if _, serr := os.Lstat(dst); serr == nil {
		return fmt.Errorf("%s exists; pass --force to replace it", dst)
	}
	return os.Rename(tmp, dst)
}

// syncDir makes the new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dir, err)
	}
	return nil
}
