// Command sealgate is the encrypting S3 and WebDAV gateway: it serves
// standard S3 and WebDAV endpoints onto one namespace per user and stores
// only ciphertext in the upstream store.
//
// Usage:
//
//	sealgate <command> [flags]
//
// Commands are listed by `sealgate help`. Errors are one line on standard
// error and a non-zero exit status.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `sealgate: an encrypting S3 and WebDAV gateway

Usage:
  sealgate <command> [flags]

Commands:
  version   print the version
  help      print this help

Not built yet (see README.md, "Status"): serve, init, user, verify, keys, gc.
`

// run executes one command and returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		_, _ = fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version", "--version":
		_, _ = fmt.Fprintf(stdout, "sealgate %s\n", version)
		return 0
	case "help", "-h", "--help":
		_, _ = fmt.Fprint(stdout, usage)
		return 0
	case "serve", "init", "user", "verify", "keys", "gc":
		_, _ = fmt.Fprintf(stderr, "sealgate: %s is not built yet: this version has the encrypted core only (see README.md)\n", args[0])
		return 1
	}
	_, _ = fmt.Fprintf(stderr, "sealgate: unknown command %q (try: sealgate help)\n", args[0])
	return 2
}
