package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Default addresses: loopback, on ports that collide with neither MinIO
// (9000/9001) nor common development servers (3000, 5000, 8000, 8080, 8443).
const (
	defaultS3Addr    = "127.0.0.1:7450"
	defaultDAVAddr   = "127.0.0.1:7451"
	defaultAdminAddr = "127.0.0.1:7452"
	defaultWebAddr   = "127.0.0.1:7453"
)

// defaultSessionLifetime is how long a web app sign-in lasts.
const defaultSessionLifetime = 12 * time.Hour

// Share links' default and longest lifetimes.
const (
	defaultShareExpiry = 7 * 24 * time.Hour
	defaultShareMax    = 90 * 24 * time.Hour
)

// config is the whole configuration. Precedence: flags > SEALGATE_*
// environment variables > config file > defaults. Every key is documented
// in config.example.yaml.
type config struct {
	DataDir     string        `yaml:"data_dir" env:"SEALGATE_DATA_DIR"`
	RootKeyFile string        `yaml:"root_key_file" env:"SEALGATE_ROOT_KEY_FILE"`
	S3          s3DoorConfig  `yaml:"s3"`
	WebDAV      davDoorConfig `yaml:"webdav"`
	Web         webDoorConfig `yaml:"web"`
	Admin       adminConfig   `yaml:"admin"`
	Upstream    upstreamCfg   `yaml:"upstream"`
	Log         logConfig     `yaml:"log"`
	Cache       cacheConfig   `yaml:"cache"`
	Limits      limitsConfig  `yaml:"limits"`
	Accounts    accountsCfg   `yaml:"accounts"`
	Lifecycle   lifecycleCfg  `yaml:"lifecycle"`
	Quota       quotaCfg      `yaml:"quota"`
}

type quotaCfg struct {
	// ReconcileInterval is how often a gateway recounts every account's
	// usage from a listing (one gateway at a time per account: a lease).
	ReconcileInterval time.Duration `yaml:"reconcile_interval" env:"SEALGATE_QUOTA_RECONCILE_INTERVAL"`
	// FlushBytes is the pending usage delta at which a gateway adds it to
	// an account's shared usage (the overshoot bound's per-gateway term).
	FlushBytes int64 `yaml:"flush_bytes"`
	// FlushObjects is the same for the number of objects.
	FlushObjects int64 `yaml:"flush_objects"`
}

type lifecycleCfg struct {
	// Interval is how often a gateway applies the buckets' lifecycle rules
	// (one gateway at a time per account: a lease in the upstream).
	Interval time.Duration `yaml:"interval" env:"SEALGATE_LIFECYCLE_INTERVAL"`
}

type accountsCfg struct {
	// PollInterval is how often a running gateway looks for account
	// changes made through other gateways (one upstream Stat each).
	PollInterval time.Duration `yaml:"poll_interval"`
}

type limitsConfig struct {
	MaxInFlight        int           `yaml:"max_in_flight"`
	MaxInFlightPerUser int           `yaml:"max_in_flight_per_user"`
	IdleTimeout        time.Duration `yaml:"idle_timeout"` // a request that moves no byte for this long is cut off
}

type tlsConfig struct {
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	SelfSigned bool   `yaml:"self_signed"`
}

type s3DoorConfig struct {
	Addr    string    `yaml:"addr" env:"SEALGATE_S3_ADDR"`
	Region  string    `yaml:"region" env:"SEALGATE_S3_REGION"`
	Domains []string  `yaml:"domains"`
	TLS     tlsConfig `yaml:"tls"`
}

type davDoorConfig struct {
	Addr string    `yaml:"addr" env:"SEALGATE_DAV_ADDR"`
	TLS  tlsConfig `yaml:"tls"`
}

type webDoorConfig struct {
	Addr string    `yaml:"addr" env:"SEALGATE_WEB_ADDR"`
	TLS  tlsConfig `yaml:"tls"`
	// SessionLifetime is how long a sign-in to the web app lasts.
	SessionLifetime time.Duration `yaml:"session_lifetime"`
	// SecureCookie marks the session cookie Secure although the door
	// serves plain HTTP: for TLS ended by a proxy in front of it.
	SecureCookie bool `yaml:"secure_cookie" env:"SEALGATE_WEB_SECURE_COOKIE"`
	// ShareDefaultExpiry and ShareMaxExpiry are a share link's lifetime
	// when its maker names none, and the longest allowed.
	ShareDefaultExpiry time.Duration `yaml:"share_default_expiry"`
	ShareMaxExpiry     time.Duration `yaml:"share_max_expiry"`
}

type adminConfig struct {
	Addr string `yaml:"addr" env:"SEALGATE_ADMIN_ADDR"`
}

type upstreamCfg struct {
	Type string         `yaml:"type" env:"SEALGATE_UPSTREAM"`
	FS   fsUpstreamCfg  `yaml:"fs"`
	S3   s3UpstreamConf `yaml:"s3"`
	// UnsafeWithoutCAS lets the gateway start over an upstream that ignores
	// conditional writes (see probeConditional).
	UnsafeWithoutCAS bool `yaml:"unsafe_without_conditional_writes" env:"SEALGATE_UPSTREAM_UNSAFE_WITHOUT_CONDITIONAL_WRITES"`
}

type fsUpstreamCfg struct {
	Dir string `yaml:"dir" env:"SEALGATE_UPSTREAM_DIR"`
}

type s3UpstreamConf struct {
	Bucket     string `yaml:"bucket" env:"SEALGATE_UPSTREAM_BUCKET"`
	Prefix     string `yaml:"prefix" env:"SEALGATE_UPSTREAM_PREFIX"`
	Endpoint   string `yaml:"endpoint" env:"SEALGATE_UPSTREAM_ENDPOINT"`
	Region     string `yaml:"region" env:"SEALGATE_UPSTREAM_REGION"`
	PathStyle  bool   `yaml:"path_style" env:"SEALGATE_UPSTREAM_PATH_STYLE"`
	PartSize   int64  `yaml:"part_size"`
	MaxBuffers int64  `yaml:"max_buffer_bytes"`
	MaxRetries int    `yaml:"max_retries"`
}

type logConfig struct {
	Level  string `yaml:"level" env:"SEALGATE_LOG_LEVEL"`
	Format string `yaml:"format" env:"SEALGATE_LOG_FORMAT"` // json, console or auto
}

type cacheConfig struct {
	MetaEntries int `yaml:"meta_entries"`
	ListEntries int `yaml:"list_entries"`
}

func defaultConfig() config {
	return config{
		DataDir: "./sealgate-data",
		S3:      s3DoorConfig{Addr: defaultS3Addr, Region: "us-east-1"},
		WebDAV:  davDoorConfig{Addr: defaultDAVAddr},
		Web: webDoorConfig{Addr: defaultWebAddr, SessionLifetime: defaultSessionLifetime,
			ShareDefaultExpiry: defaultShareExpiry, ShareMaxExpiry: defaultShareMax},
		Admin:     adminConfig{Addr: defaultAdminAddr},
		Upstream:  upstreamCfg{Type: "fs", S3: s3UpstreamConf{Region: "us-east-1"}},
		Log:       logConfig{Level: "info", Format: "auto"},
		Limits:    limitsConfig{MaxInFlight: 1024, MaxInFlightPerUser: 256, IdleTimeout: 5 * time.Minute},
		Accounts:  accountsCfg{PollInterval: time.Second},
		Lifecycle: lifecycleCfg{Interval: time.Hour},
		Quota:     quotaCfg{ReconcileInterval: time.Hour, FlushBytes: 64 << 20, FlushObjects: 1000},
	}
}

// loadConfigFile decodes a YAML file strictly: an unknown key is an error
// naming the key and its line.
func loadConfigFile(path string, c *config) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // EOF: an empty file
		return fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// applyEnv overrides fields tagged `env:"NAME"` from the environment.
func applyEnv(c *config, getenv func(string) string) error {
	return walkEnv(reflect.ValueOf(c).Elem(), getenv)
}

func walkEnv(v reflect.Value, getenv func(string) string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if f.Type.Kind() == reflect.Struct {
			if err := walkEnv(fv, getenv); err != nil {
				return err
			}
			continue
		}
		name := f.Tag.Get("env")
		val := getenv(name)
		if name == "" || val == "" {
			continue
		}
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(val)
		case reflect.Bool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("environment %s: %q is not a boolean", name, val)
			}
			fv.SetBool(b)
		case reflect.Int64: // time.Duration, the only integer with an env tag
			d, err := time.ParseDuration(val)
			if err != nil {
				return fmt.Errorf("environment %s: %q is not a duration", name, val)
			}
			fv.SetInt(int64(d))
		}
	}
	return nil
}

// resolve fills the defaults that depend on other settings and checks
// the result.
func (c *config) resolve() error {
	if c.RootKeyFile == "" {
		c.RootKeyFile = filepath.Join(c.DataDir, "root.key")
	}
	if c.Upstream.FS.Dir == "" {
		c.Upstream.FS.Dir = filepath.Join(c.DataDir, "store")
	}
	switch c.Upstream.Type {
	case "fs":
	case "s3":
		if c.Upstream.S3.Bucket == "" {
			return errors.New("config: upstream.s3.bucket is required for upstream type s3")
		}
	default:
		return fmt.Errorf("config: upstream.type %q: must be fs or s3", c.Upstream.Type)
	}
	if c.Limits.IdleTimeout <= 0 {
		c.Limits.IdleTimeout = 5 * time.Minute
	}
	if c.Quota.ReconcileInterval < time.Second || c.Quota.ReconcileInterval > 7*24*time.Hour || c.Quota.FlushBytes < 1 || c.Quota.FlushObjects < 1 {
		return fmt.Errorf("config: quota.reconcile_interval %v (1s..168h), quota.flush_bytes %d or quota.flush_objects %d (at least 1)",
			c.Quota.ReconcileInterval, c.Quota.FlushBytes, c.Quota.FlushObjects)
	}
	if c.Lifecycle.Interval < time.Second || c.Lifecycle.Interval > 24*time.Hour {
		return fmt.Errorf("config: lifecycle.interval %v: must be between 1s and 24h", c.Lifecycle.Interval)
	}
	if c.Accounts.PollInterval < 100*time.Millisecond || c.Accounts.PollInterval > time.Minute {
		return fmt.Errorf("config: accounts.poll_interval %v: must be between 100ms and 1m", c.Accounts.PollInterval)
	}
	if c.Web.SessionLifetime < time.Minute || c.Web.SessionLifetime > 30*24*time.Hour {
		return fmt.Errorf("config: web.session_lifetime %v: must be between 1m and 720h", c.Web.SessionLifetime)
	}
	if c.Web.ShareMaxExpiry < time.Minute || c.Web.ShareMaxExpiry > 10*365*24*time.Hour {
		return fmt.Errorf("config: web.share_max_expiry %v: must be between 1m and 87600h", c.Web.ShareMaxExpiry)
	}
	if c.Web.ShareDefaultExpiry < time.Minute || c.Web.ShareDefaultExpiry > c.Web.ShareMaxExpiry {
		return fmt.Errorf("config: web.share_default_expiry %v: must be between 1m and web.share_max_expiry", c.Web.ShareDefaultExpiry)
	}
	switch c.Log.Format {
	case "auto", "json", "console":
	default:
		return fmt.Errorf("config: log.format %q: must be auto, json or console", c.Log.Format)
	}
	_, err := logLevel(c.Log.Level) // before serve touches the data dir
	return err
}
