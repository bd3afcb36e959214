// Command bench measures sealgate against its unencrypted baseline in one
// run on this machine: versitygw's posix backend (a real S3 server on the
// same disk) versus sealgate's S3 door (fs upstream) and WebDAV door, with
// the same client (aws-sdk-go-v2, unsigned payloads, no client checksums).
//
//	go run ./bench [-runs 1] [-size 1073741824] [-ops 2000] [-list 10000]
//	go run ./bench -web [-runs 1] [-size 1073741824]
//
// With -runs N the whole comparison runs N times, each on fresh data
// directories, the baseline and sealgate taking turns; the table shows
// each cell's median and, under it, its range.
//
// Workloads: one large PUT and GET; 4 KiB PUT and GET at concurrency 1,
// 16 and 32; LIST of N objects cold (fresh process) and warm; peak RSS of
// the server processes. Then a second sealgate gateway joins the first
// over the same upstream (multi.go): LIST through the gateway that did not
// write the objects, cold and warm, and 4 KiB PUT and GET at concurrency
// 16 and 32 dealt round-robin to both. It prints a table with
// sealgate/baseline ratios, and two gateways over one.
//
// With -web it measures only the web app's resumable upload against the
// S3 door's PUT and multipart upload, in one sealgate process (web.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

type options struct {
	runs     int
	size     int64
	ops      int
	list     int
	keep     bool
	web      bool
	dir      string
	versity  string
	sealgate string
}

func main() {
	var o options
	flag.IntVar(&o.runs, "runs", 1, "times to run the whole comparison (the table shows medians)")
	flag.Int64Var(&o.size, "size", 1<<30, "bytes of the large PUT/GET")
	flag.IntVar(&o.ops, "ops", 2000, "4 KiB operations per measurement")
	flag.IntVar(&o.list, "list", 10000, "objects in the LIST measurement")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary data")
	flag.BoolVar(&o.web, "web", false, "only compare the web app's resumable upload with an S3 PUT (web.go)")
	flag.StringVar(&o.dir, "dir", "", "work directory (default: a new temporary directory)")
	flag.StringVar(&o.versity, "versitygw", "", "versitygw binary (default: PATH, then GOPATH/bin)")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.dir == "" {
		d, err := os.MkdirTemp("", "sealgate-bench-")
		if err != nil {
			return err
		}
		o.dir = d
	}
	if !o.keep {
		defer func() { _ = os.RemoveAll(o.dir) }()
	}
	var err error
	if !o.web {
		if o.versity, err = findVersitygw(o.versity); err != nil {
			return err
		}
	}
	o.sealgate = filepath.Join(o.dir, "sealgate")
	if out, err := exec.Command("go", "build", "-o", o.sealgate, "./cmd/sealgate").CombinedOutput(); err != nil {
		return fmt.Errorf("building sealgate (run from the repository root): %v\n%s", err, out)
	}
	if o.web {
		return runWeb(ctx, o)
	}
	r := &report{}
	for i := range max(o.runs, 1) {
		if err := runOnce(ctx, o, r, i); err != nil {
			return err
		}
	}
	r.print(os.Stdout, o)
	return nil
}

// runOnce runs the comparison once, on data directories of its own.
func runOnce(ctx context.Context, o options, r *report, i int) error {
	o.dir = filepath.Join(o.dir, fmt.Sprintf("run%d", i))
	if err := benchBaseline(ctx, o, r); err != nil {
		return err
	}
	if err := benchSealgate(ctx, o, r); err != nil {
		return err
	}
	if !o.keep {
		return os.RemoveAll(o.dir)
	}
	return nil
}

func findVersitygw(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(string(trimNL(out)), "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("versitygw not found: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func stopCtx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	_ = cancel
	return ctx
}
