// Command sealgate is the encrypting S3 and WebDAV gateway: it serves
// standard S3 and WebDAV endpoints onto one namespace per user and stores
// only ciphertext in the upstream store.
//
// Usage:
//
//	sealgate <command> [flags]
//
// Commands are listed by `sealgate help`. Errors are one line on standard
// error and a non-zero exit status. Configuration precedence: flags >
// SEALGATE_* environment variables > config file > defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is what a command may touch of the process, so tests can run them.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// ready, if set, is called by serve with the bound addresses once it
	// accepts requests (tests).
	ready func(addrs map[string]string)
}

const usage = `sealgate: an encrypting S3 and WebDAV gateway

Usage:
  sealgate <command> [flags]

Commands:
  serve      run the S3 and WebDAV doors (creates ./sealgate-data on first start)
  init       prepare a data dir, and a deployment in the upstream if it has none, without serving
  user       manage accounts: add, list, passwd, delete, rotate, keys, quota, 2fa, app-password, s3key
  verify     read and authenticate every object (--user NAME, --bucket B)
  keys       export FILE / import FILE: the root key and keystore under a passphrase (stdin);
             rotate-root [--status|--finish|--cancel]: replace the root key on every gateway;
             accept-restore [--yes]: accept an upstream restored from a backup on purpose
  gc         remove expired multipart uploads and orphaned records (--dry-run, --older-than)
  version    print the version
  help       print this help

Run "sealgate <command> -h" for a command's flags.
`

// errUsage marks errors that are about how the command was called.
var errUsage = errors.New("usage")

// run executes one command and returns the process exit status.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		_, _ = fmt.Fprint(e.stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "version", "--version":
		_, _ = fmt.Fprintf(e.stdout, "sealgate %s\n", version)
	case "help", "-h", "--help":
		_, _ = fmt.Fprint(e.stdout, usage)
	case "serve":
		err = cmdServe(ctx, args[1:], e)
	case "init":
		err = cmdInit(ctx, args[1:], e)
	case "user":
		err = cmdUser(ctx, args[1:], e)
	case "verify":
		err = cmdVerify(ctx, args[1:], e)
	case "keys":
		err = cmdKeys(ctx, args[1:], e)
	case "gc":
		err = cmdGC(ctx, args[1:], e)
	default:
		err = fmt.Errorf("%w: unknown command %q (try: sealgate help)", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		_, _ = fmt.Fprintln(e.stderr, "sealgate:", err)
		return 2
	}
	_, _ = fmt.Fprintln(e.stderr, "sealgate:", err)
	return 1
}
