package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/s3api"
)

// shutdownGrace is how long in-flight requests may finish after SIGINT/SIGTERM.
const shutdownGrace = 30 * time.Second

func cmdServe(ctx context.Context, args []string, e env) error {
	f := newFlags("serve", e.stderr)
	f.str("s3-addr", "S3 listen address (default "+defaultS3Addr+")", func(c *config, v string) { c.S3.Addr = v })
	f.str("dav-addr", "WebDAV listen address (default "+defaultDAVAddr+"; \"off\" disables)", func(c *config, v string) { c.WebDAV.Addr = v })
	f.str("web-addr", "web app listen address (default "+defaultWebAddr+"; \"off\" disables)", func(c *config, v string) { c.Web.Addr = v })
	f.str("admin-addr", "health and metrics address (default "+defaultAdminAddr+"; \"off\" disables)", func(c *config, v string) { c.Admin.Addr = v })
	f.str("upstream", "upstream type: fs or s3", func(c *config, v string) { c.Upstream.Type = v })
	f.str("upstream-dir", "fs upstream directory (default <data-dir>/store)", func(c *config, v string) { c.Upstream.FS.Dir = v })
	f.str("upstream-bucket", "s3 upstream bucket", func(c *config, v string) { c.Upstream.S3.Bucket = v })
	f.str("upstream-endpoint", "s3 upstream endpoint URL (default AWS)", func(c *config, v string) { c.Upstream.S3.Endpoint = v })
	f.boolean("upstream-path-style", "s3 upstream: path-style addressing", func(c *config, v bool) { c.Upstream.S3.PathStyle = v })
	f.boolean("s3-tls-self-signed", "serve S3 over HTTPS with a generated certificate", func(c *config, v bool) { c.S3.TLS.SelfSigned = v })
	f.boolean("dav-tls-self-signed", "serve WebDAV over HTTPS with a generated certificate", func(c *config, v bool) { c.WebDAV.TLS.SelfSigned = v })
	f.boolean("web-tls-self-signed", "serve the web app over HTTPS with a generated certificate", func(c *config, v bool) { c.Web.TLS.SelfSigned = v })
	f.str("log-level", "debug, info, warn or error", func(c *config, v string) { c.Log.Level = v })
	f.str("log-format", "json, console or auto", func(c *config, v string) { c.Log.Format = v })
	if _, err := f.parse(args); err != nil {
		return err
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return err
	}
	return serve(ctx, c, e)
}

// serve runs the doors until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, c *config, e env) error {
	if err := prepareDataDir(c); err != nil {
		return err
	}
	lock, err := lockServe(c.DataDir)
	if err != nil {
		return err
	}
	defer func() { _ = lock.Close() }()
	lns, err := listenAll(c)
	if err != nil {
		return err
	}
	defer closeAll(lns)
	log, err := newLogger(c.Log, e.stderr)
	if err != nil {
		return err
	}
	m := newMetrics()
	d, err := openDeployment(ctx, c, e, openOpts{create: true, poll: true, onEvent: logEvent(log, m)})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := firstAccount(ctx, c, d.accts, e, log); err != nil {
		return err
	}
	svc, err := gateway.NewService(gateway.Config{Store: d.store, MetaCacheEntries: c.Cache.MetaEntries,
		ListCacheEntries: c.Cache.ListEntries, Fresh: freshRecord(d.accts), Current: currentRecord(d.accts),
		Accounts: activeAccounts(d.accts), QuotaFlushBytes: c.Quota.FlushBytes,
		QuotaFlushObjects: c.Quota.FlushObjects, QuotaRefresh: quotaRefresh,
		OnIntegrity: func(region string) {
			m.integrity.WithLabelValues(region).Inc()
			log.Warn().Str("region", region).Msg("upstream data failed authentication")
		}})
	if err != nil {
		return err
	}
	doors, err := buildDoors(c, d.accts, svc, m, log)
	if err != nil {
		return err
	}
	go expireUploads(ctx, svc, log)
	go applyLifecycle(ctx, svc, d.accts, c.Lifecycle.Interval, m, log)
	go keepUsage(ctx, svc, d.accts, c.Quota.ReconcileInterval, log)
	err = runDoors(ctx, doors, lns, c.Limits.IdleTimeout, e, log)
	flushUsageAtExit(ctx, svc, log)
	return err
}

// logEvent logs the accounts' events and counts the integrity failures
// among them by kind.
func logEvent(log zerolog.Logger, m *metrics) func(accounts.Event) {
	return func(ev accounts.Event) {
		if ev.Integrity {
			m.integrity.WithLabelValues(string(ev.Kind)).Inc()
			log.Error().Str("event", string(ev.Kind)).Msg(ev.Msg)
			return
		}
		log.Warn().Str("event", string(ev.Kind)).Msg(ev.Msg)
	}
}

// listenAll binds every enabled door's address before anything else
// happens, so an occupied port fails first, alone and fast.
func listenAll(c *config) (map[string]net.Listener, error) {
	lns := map[string]net.Listener{}
	for name, addr := range map[string]string{"s3": c.S3.Addr, "webdav": c.WebDAV.Addr, "web": c.Web.Addr, "admin": c.Admin.Addr} {
		if !doorEnabled(addr) {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("%s door: cannot listen on %s: %w", name, addr, unwrapOpErr(err))
		}
		lns[name] = ln
	}
	return lns, nil
}

// doorEnabled reports whether a door's address turns it on: an empty
// address or "off" disables the door.
func doorEnabled(addr string) bool {
	return addr != "" && addr != "off"
}

// door is one listener and its handler.
type door struct {
	name, addr string
	handler    http.Handler
	tls        tlsConfig
}

// buildDoors makes the handlers. One Limiter serves every door: the
// in-flight bounds are for the whole gateway.
func buildDoors(c *config, accts *accounts.Accounts, svc *gateway.Service, m *metrics, log zerolog.Logger) ([]door, error) {
	lim := gateway.NewLimiter(c.Limits.MaxInFlight, c.Limits.MaxInFlightPerUser)
	m.watch(svc, lim)
	s3h, err := s3api.New(s3api.Config{Users: s3Users{accts, svc}, Region: c.S3.Region, Domains: c.S3.Domains,
		Logger: log.With().Str("door", "s3").Logger(), Limiter: lim, Observe: m.observe,
		KeepAlive: keepAliveFor(c.Limits.IdleTimeout), CORS: svc})
	if err != nil {
		return nil, err
	}
	doors := []door{{name: "s3", addr: c.S3.Addr, handler: s3h, tls: c.S3.TLS}}
	for _, extra := range extraDoors {
		d, err := extra(c, accts, svc, lim, m.observe, log)
		if err != nil {
			return nil, err
		}
		if d != nil {
			doors = append(doors, *d)
		}
	}
	if doorEnabled(c.Admin.Addr) {
		doors = append(doors, door{name: "admin", addr: c.Admin.Addr, handler: adminHandler(svc, m.handler())})
	}
	return doors, nil
}

// extraDoors are doors registered by other files of this command (WebDAV,
// the web app).
var extraDoors []func(*config, *accounts.Accounts, *gateway.Service, *gateway.Limiter, gateway.Observer, zerolog.Logger) (*door, error)

// runDoors serves every door on its listener and, when ctx ends, shuts
// all down gracefully: in-flight requests finish (up to shutdownGrace).
func runDoors(ctx context.Context, doors []door, listeners map[string]net.Listener, idle time.Duration, e env, log zerolog.Logger) error {
	var servers []*http.Server
	var lns []net.Listener
	addrs := map[string]string{}
	for _, d := range doors {
		ln := listeners[d.name]
		if ln == nil {
			continue
		}
		tc, fp, err := serverTLS(d.tls)
		if err != nil {
			return fmt.Errorf("%s door: %w", d.name, err)
		}
		scheme := "http"
		if tc != nil {
			scheme = "https"
		}
		addrs[d.name] = scheme + "://" + ln.Addr().String()
		line := fmt.Sprintf("sealgate: %-6s %s", d.name, addrs[d.name])
		if fp != "" {
			line += "  (certificate SHA-256 " + fp + ")"
		}
		_, _ = fmt.Fprintln(e.stdout, line)
		srv := &http.Server{Handler: progressDeadlines(d.handler, idle), TLSConfig: tc, ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
		servers, lns = append(servers, srv), append(lns, ln)
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- serveOne(srv, lns[i]) }()
	}
	log.Info().Interface("endpoints", addrs).Msg("sealgate serving")
	if e.ready != nil {
		e.ready(addrs)
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	log.Info().Msg("shutting down: waiting for requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(sctx)
	}
	return err
}

func serveOne(srv *http.Server, ln net.Listener) error {
	var err error
	if srv.TLSConfig != nil {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func closeAll(lns map[string]net.Listener) {
	for _, l := range lns {
		_ = l.Close()
	}
}

func unwrapOpErr(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// firstAccount creates the first account of a new deployment — only when
// it has none, also when several gateways start at once — and shows its
// secrets once: on the terminal, or in a 0600 file in the data dir when
// the output is not a terminal — never in the log.
func firstAccount(ctx context.Context, c *config, accts *accounts.Accounts, e env, log zerolog.Logger) error {
	if len(accts.List()) > 0 {
		return nil
	}
	cr, created, err := accts.CreateFirst(ctx, "admin")
	if err != nil || !created {
		return err
	}
	defer cr.Wipe()
	debug.FreeOSMemory() // give back Argon2id's 64 MiB before serving
	text := fmt.Sprintf("user:              %s\naccess key id:     %s\nsecret access key: %s\npassword:          %s\n",
		cr.User, cr.AccessKeyID, cr.SecretAccessKey, cr.Password)
	if isTerminal(e.stdout) {
		_, _ = fmt.Fprintf(e.stdout, "sealgate: first account created; its secrets are shown only now:\n%s\n", text)
		return nil
	}
	path := filepath.Join(c.DataDir, "first-account.txt")
	if err := writeSecretFile(path, []byte(text)); err != nil {
		return fmt.Errorf("first account: %w", err)
	}
	log.Warn().Str("file", path).Msg("first account created; its credentials are in this file (mode 0600): read it, then delete it")
	_, _ = fmt.Fprintf(e.stdout, "sealgate: first account created; credentials written to %s\n", path)
	return nil
}

func isTerminal(w interface{}) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// keepAliveFor paces the spaces of a slow CompleteMultipartUpload (see
// s3api/complete.go): every 10 s, or a third of a shorter idle timeout, so
// that the progress deadlines never cut a Complete that is still working.
func keepAliveFor(idle time.Duration) time.Duration {
	return min(10*time.Second, idle/3)
}

// s3Users adapts the accounts to the S3 door.
type s3Users struct {
	accts *accounts.Accounts
	svc   *gateway.Service
}

func (u s3Users) ByAccessKey(id string) (s3api.User, error) {
	a, err := u.accts.ByAccessKey(id)
	if err != nil {
		return s3api.User{}, err
	}
	return s3api.User{Name: a.Name(), Secret: a.SecretFor(id), NS: u.svc.Namespace(a)}, nil
}
