//go:build linux

package fs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
)

// TestNoSpaceTmpfs fills a real file system: a 256 KiB tmpfs with few
// inodes, mounted by a child process in its own user and mount namespaces
// (no root needed, but the kernel must allow unprivileged user namespaces;
// where it does not, the test is skipped: TestNoSpace covers the mapping).
// A body larger than the file system and a folder beyond its inodes both
// fail with ErrNoSpace and ENOSPC.
func TestNoSpaceTmpfs(t *testing.T) {
	if os.Getenv(envHelper) == "tmpfs" { // the child
		if err := fillTmpfs(os.Getenv(envRoot)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoSpaceTmpfs$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelper+"=tmpfs", envRoot+"="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSPC) {
		t.Skipf("no unprivileged user namespace: %v", err)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// fillTmpfs is the child of TestNoSpaceTmpfs, in its own namespaces: it
// mounts the tmpfs on root and fills it.
func fillTmpfs(root string) error {
	if err := syscall.Mount("sealgate-test", root, "tmpfs", 0, "size=256k,nr_inodes=100,mode=0700"); err != nil {
		return fmt.Errorf("mount tmpfs: %w", err)
	}
	s, err := fs.Open(root)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	ctx := context.Background()
	big := bytes.Repeat([]byte("x"), 1<<20)
	_, err = s.Put(ctx, "big", bytes.NewReader(big), int64(len(big)), backends.PutOptions{})
	if err := wantNoSpace("a body larger than the file system", err); err != nil {
		return err
	}
	for i := range 200 { // more folders than inodes
		key := "d" + strconv.Itoa(i) + "/k"
		if _, err = s.Put(ctx, key, bytes.NewReader(nil), 0, backends.PutOptions{}); err != nil {
			break
		}
	}
	return wantNoSpace("folders beyond the inodes", err)
}

func wantNoSpace(what string, err error) error {
	if !errors.Is(err, backends.ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%s: %v; want ErrNoSpace and ENOSPC", what, err)
	}
	return nil
}
