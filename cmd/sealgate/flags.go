package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
)

// commonFlags are the flags every command that reads configuration has.
type commonFlags struct {
	fs      *flag.FlagSet
	cfgFile string
	setters map[string]func(*config, string) error
}

func newFlags(name string, out io.Writer) *commonFlags {
	f := &commonFlags{fs: flag.NewFlagSet("sealgate "+name, flag.ContinueOnError), setters: map[string]func(*config, string) error{}}
	f.fs.SetOutput(out)
	f.fs.StringVar(&f.cfgFile, "config", "", "YAML config file (see config.example.yaml)")
	f.str("data-dir", "data dir (root key, keystore, local store)", func(c *config, v string) { c.DataDir = v })
	return f
}

// str declares a string flag that, when given, overrides the config.
func (f *commonFlags) str(name, help string, set func(*config, string)) {
	f.fs.String(name, "", help)
	f.setters[name] = func(c *config, v string) error { set(c, v); return nil }
}

// boolean declares a boolean flag that, when given, overrides the config.
func (f *commonFlags) boolean(name, help string, set func(*config, bool)) {
	f.fs.Bool(name, false, help)
	f.setters[name] = func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		set(c, b)
		return nil
	}
}

// parse parses args (flags may follow positional arguments) and returns
// the positional arguments.
func (f *commonFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = f.fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// config builds the configuration: defaults, then the config file, then
// the environment, then the flags that were given.
func (f *commonFlags) config(getenv func(string) string) (*config, error) {
	c := defaultConfig()
	file := f.cfgFile
	if file == "" {
		file = getenv("SEALGATE_CONFIG")
	}
	if file != "" {
		if err := loadConfigFile(file, &c); err != nil {
			return nil, err
		}
	}
	if err := applyEnv(&c, getenv); err != nil {
		return nil, err
	}
	var ferr error
	f.fs.Visit(func(fl *flag.Flag) {
		if set, ok := f.setters[fl.Name]; ok && ferr == nil {
			ferr = set(&c, fl.Value.String())
		}
	})
	if ferr != nil {
		return nil, ferr
	}
	return &c, c.resolve()
}
