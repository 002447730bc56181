package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pageinbox/pageinbox/store"
)

// setupBackup writes a consistent copy of the data file, through the
// daemon while it runs, or from the file when none does.
func setupBackup(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "replace FILE if it exists")
	compact := fs.Bool("compact", false, "copy live records only: no free pages, so nothing of what was deleted\n"+
		"or forgotten (slower; the daemon needs room for a second copy in its data dir)")
	return func(ctx context.Context, env cmdEnv) error {
		if len(env.args) == 0 {
			return errors.New("usage: pageinbox backup [--force] [--compact] FILE")
		}
		// Flags may follow the file too: backup FILE --force.
		if err := fs.Parse(env.args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q: one FILE only", fs.Arg(0))
		}
		dst := env.args[0]
		info, err := writeBackup(dst, *force, func(f *os.File) error {
			return throughDaemon(ctx, env.cfg, "backup",
				func(wsURL string) error {
					ac, err := adminClient(env.cfg, wsURL)
					if err != nil {
						return err
					}
					return ac.Backup(ctx, f, *compact)
				},
				func(st *store.Store) error {
					if *compact {
						return st.CompactTo(ctx, f.Name())
					}
					_, err := st.Backup(ctx, f)
					return err
				})
		})
		if err != nil {
			return err
		}
		how := ""
		if *compact {
			how = ", compacted"
		}
		fmt.Fprintf(env.stdout, "backed up to %s%s: %.1f MB, %d conversations, %d messages (schema %d); bbolt's check passed\n",
			dst, how, float64(info.Size)/1e6, info.Conversations, info.Messages, info.Schema)
		return nil
	}
}

// writeBackup has fill write the copy into a new file (mode 0600) beside
// dst, syncs it, checks it with bbolt, and only then puts it in place:
// dst is never a half-written or damaged copy. Without force, an existing
// dst is refused, even one that appears meanwhile.
func writeBackup(dst string, force bool, fill func(*os.File) error) (info store.BackupInfo, err error) {
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
func writeSynced(f *os.File, fill func(*os.File) error) error {
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
