package fs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/storetest"
)

// TestConformanceShared: two Stores on one root, in one process, are as
// coordinated as two processes (each has its own lock files open).
func TestConformanceShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (backends.Store, backends.Store) {
		dir := t.TempDir()
		return open(t, dir), open(t, dir)
	})
}

// TestOpenKeepsLiveTemps: a second Open on the root leaves the temp
// directory of a live Store, and its write in flight, alone.
func TestOpenKeepsLiveTemps(t *testing.T) {
	root := t.TempDir()
	a := open(t, root)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := a.Put(context.Background(), "live/k", pr, 8, backends.PutOptions{})
		done <- err
	}()
	if _, err := pw.Write([]byte("half")); err != nil { // the temp file now exists
		t.Fatal(err)
	}
	b := open(t, root)
	if _, err := pw.Write([]byte("done")); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("Put in flight during another Open: %v", err)
	}
	checkNoTempFiles(t, root, 2)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	checkNoTempFiles(t, root, 1)
	put(t, a, "live/k2", "still writable")
}

// Helper processes: the test binary runs TestHelperProcess in a child when
// envHelper names a role; the store root is in envRoot.
const (
	envHelper = "SEALGATE_FS_TEST_HELPER"
	envRoot   = "SEALGATE_FS_TEST_ROOT"
	// helperIncrements is how many increments each counter child makes.
	helperIncrements = 40
	counterKey       = "shared/counter"
)

// TestHelperProcess is not a test: it is the body of the child processes
// of the multi-process tests, and does nothing in a normal run.
func TestHelperProcess(*testing.T) {
	role, root := os.Getenv(envHelper), os.Getenv(envRoot)
	if role == "" {
		return
	}
	s, err := fs.Open(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	switch role {
	case "counter":
		os.Exit(countInChild(s))
	case "crash":
		crashInChild(s)
	}
	os.Exit(3)
}

// countInChild makes helperIncrements increments of the counter and
// reports its conflicts on stdout.
func countInChild(s *fs.Store) int {
	conflicts := 0
	for range helperIncrements {
		c, err := storetest.Increment(context.Background(), s, counterKey, 1000)
		conflicts += c
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fmt.Println(conflicts)
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// crashInChild starts a write and exits while its body is half sent,
// without closing the store: what a killed process leaves.
func crashInChild(s *fs.Store) {
	pr, pw := io.Pipe()
	go func() { _, _ = s.Put(context.Background(), "crash/k", pr, 1<<20, backends.PutOptions{}) }()
	_, _ = pw.Write(bytes.Repeat([]byte("x"), 4096))
	fmt.Println("written")
	time.Sleep(100 * time.Millisecond) // let the bytes reach the temp file
	os.Exit(0)
}

// runHelpers starts n children in role on root and returns their stdout
// once all have exited successfully.
func runHelpers(t *testing.T, role, root string, n int) []string {
	t.Helper()
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), envHelper+"="+role, envRoot+"="+root)
		outs[i] = new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	var lines []string
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i])
		}
		lines = append(lines, strings.TrimSpace(outs[i].String()))
	}
	return lines
}

// TestMultiProcessCounter: three processes increment one counter by
// compare-and-swap on one root. No update is lost, and the children leave
// no temp directory behind.
func TestMultiProcessCounter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	root := t.TempDir()
	s := open(t, root)
	put(t, s, counterKey, "0")
	_ = s.Close()
	const children = 3
	outs := runHelpers(t, "counter", root, children)
	checkNoTempFiles(t, root, 0)
	conflicts := 0
	for _, out := range outs {
		n, err := strconv.Atoi(out)
		if err != nil {
			t.Fatalf("child output %q", out)
		}
		conflicts += n
	}
	s = open(t, root)
	body, err := readAll(s, counterKey)
	if want := strconv.Itoa(children * helperIncrements); err != nil || body != want {
		t.Fatalf("counter = %q, %v; want %s (lost updates)", body, err, want)
	}
	t.Logf("%d increments, %d conflicts retried", children*helperIncrements, conflicts)
}

// TestCrashLeftoversRemoved: a process that dies with a write in flight
// leaves its temp directory; the next Open removes it.
func TestCrashLeftoversRemoved(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	root := t.TempDir()
	runHelpers(t, "crash", root, 1)
	dirs, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("tmp/ after the crash = %v, %v; want the dead store's directory", dirs, err)
	}
	names, err := os.ReadDir(filepath.Join(root, "tmp", dirs[0].Name()))
	if err != nil || len(names) != 2 {
		t.Fatalf("dead store's directory = %v, %v; want its lock and a temp file", names, err)
	}
	open(t, root)
	checkNoTempFiles(t, root, 1)
	if _, err := os.Stat(filepath.Join(root, "tmp", dirs[0].Name())); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("dead store's directory survived: %v", err)
	}
}

func readAll(s *fs.Store, key string) (string, error) {
	rc, _, err := s.Get(context.Background(), key, 0, -1)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}
