package main

import (
	"fmt"
	"io"

	"github.com/rs/zerolog"
)

// newLogger returns the process logger: JSON, or console text when asked
// or when auto and the output is a terminal.
func newLogger(c logConfig, w io.Writer) (zerolog.Logger, error) {
	lvl, err := logLevel(c.Level)
	if err != nil {
		return zerolog.Logger{}, err
	}
	if c.Format == "console" || (c.Format == "auto" && isTerminal(w)) {
		w = zerolog.ConsoleWriter{Out: w}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// logLevel parses log.level.
func logLevel(s string) (zerolog.Level, error) {
	lvl, err := zerolog.ParseLevel(s)
	if err != nil || s == "" {
		return 0, fmt.Errorf("config: log.level %q: must be debug, info, warn or error", s)
	}
	return lvl, nil
}
