package integration

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	s3store "github.com/sealgate/sealgate/backends/s3"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/s3server"
	"github.com/sealgate/sealgate/internal/testlog"
	"github.com/sealgate/sealgate/s3api"
)

// The three accounts of every sealgate under test. The names carry a digit
// that base32 upstream names cannot contain, so that finding one upstream
// means a leak, not chance.
var accountNames = []string{"alice.canary9", "bob.canary9", "carol.canary9"}

// sealgate is a running gateway: the service over an upstream, the S3 door
// on real loopback listeners (HTTP and HTTPS), and three accounts.
type sealgate struct {
	Upstream string // "fs" or "s3"
	FSDir    string // fs: the store's root directory
	S3       *s3server.Server
	S3Bucket string   // s3: the upstream bucket
	HTTP     []target // one per account, in accountNames order
	HTTPS    []target
	Service  *gateway.Service
	log      *testlog.Buffer
}

// gatewayUsers adapts the keystore to the S3 door.
type gatewayUsers struct {
	acc *accounts.Accounts
	svc *gateway.Service
}

func (u gatewayUsers) ByAccessKey(id string) (s3api.User, error) {
	a, err := u.acc.ByAccessKey(id)
	if err != nil {
		return s3api.User{}, err
	}
	return s3api.User{Name: a.Name(), Secret: a.Secret(), NS: u.svc.Namespace(a)}, nil
}

// startSealgate runs sealgate over upstream "fs" (a temp directory) or "s3"
// (a bucket of a versitygw started for the test).
func startSealgate(t *testing.T, upstream string) *sealgate {
	t.Helper()
	sg := &sealgate{Upstream: upstream, log: &testlog.Buffer{}}
	var store backends.Store
	switch upstream {
	case "fs":
		sg.FSDir = t.TempDir()
		s, err := fs.Open(sg.FSDir)
		if err != nil {
			t.Fatalf("fs.Open: %v", err)
		}
		store = s
	case "s3":
		sg.S3 = s3server.Start(t)
		sg.S3Bucket = sg.S3.NewBucket(t)
		s, err := s3store.New(context.Background(), s3store.Config{
			Bucket: sg.S3Bucket, Prefix: "sealgate/", Endpoint: sg.S3.Endpoint, Region: sg.S3.Region, PathStyle: true,
			AccessKeyID: sg.S3.AccessKeyID, SecretAccessKey: sg.S3.SecretAccessKey,
		})
		if err != nil {
			t.Fatalf("backends/s3.New: %v", err)
		}
		store = s
	default:
		t.Fatalf("unknown upstream %q", upstream)
	}
	t.Cleanup(func() { _ = store.Close() })

	dataDir := filepath.Join(t.TempDir(), "data")
	root := cryptolayer.NewKey()
	acc, err := accounts.Open(context.Background(), accounts.Config{Store: store, DataDir: dataDir, Root: root, Create: true,
		PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		t.Fatalf("accounts.Open: %v", err)
	}
	t.Cleanup(func() { _ = acc.Close() })
	svc, err := gateway.NewService(gateway.Config{Store: store})
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	sg.Service = svc
	door := func(keepAlive time.Duration) http.Handler {
		h, err := s3api.New(s3api.Config{Users: gatewayUsers{acc, svc}, Region: "us-east-1",
			Logger: zerolog.New(sg.log).Level(zerolog.DebugLevel), KeepAlive: keepAlive})
		if err != nil {
			t.Fatalf("s3api.New: %v", err)
		}
		return h
	}
	// Over HTTP every CompleteMultipartUpload takes the slow path (an early
	// 200, spaces, then the result: see s3api/complete.go), over HTTPS the
	// ordinary one, so each client is run through both.
	plain := httptest.NewServer(door(50 * time.Millisecond))
	tls := httptest.NewTLSServer(door(0))
	t.Cleanup(plain.Close)
	t.Cleanup(tls.Close)
	ca := writeCA(t, tls)

	var secrets []string
	for _, name := range accountNames {
		c, err := acc.Create(context.Background(), name, []byte("password of "+name))
		if err != nil {
			t.Fatalf("Create %s: %v", name, err)
		}
		tg := target{Name: "sealgate-" + upstream + "/" + name, Endpoint: plain.URL, Region: "us-east-1",
			AccessKey: c.AccessKeyID, Secret: string(c.SecretAccessKey), SigV2: true}
		secrets = append(secrets, tg.Secret)
		sg.HTTP = append(sg.HTTP, tg)
		tg.Name, tg.Endpoint, tg.CAFile = tg.Name+"-https", tls.URL, ca
		sg.HTTPS = append(sg.HTTPS, tg)
	}
	// The access log must never carry a secret; it is shown on failure.
	t.Cleanup(func() {
		log := sg.log.String()
		for _, s := range secrets {
			if strings.Contains(log, s) {
				t.Errorf("sealgate's log contains an account's secret access key")
			}
		}
		if t.Failed() {
			t.Logf("sealgate log (tail):\n%s", tail(redactAll(log, secrets)))
		}
	})
	return sg
}

func redactAll(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	return signatureRE.ReplaceAllString(s, "${1}[REDACTED]")
}

// TestClientsAgainstSealgate runs every client driver against sealgate over
// the fs upstream (HTTP, and HTTPS without the 100 MiB copies), and aws cli
// (v2 with the 100 MiB multipart copy) and rclone against sealgate over the
// real S3 upstream.
func TestClientsAgainstSealgate(t *testing.T) {
	t.Parallel()
	t.Run("fs", func(t *testing.T) {
		sg := startSealgate(t, "fs")
		for i, c := range clientCases(true) {
			tg := sg.HTTP[i%len(sg.HTTP)]
			t.Run(c.name+"/http", func(t *testing.T) { c.run(t, tg) })
		}
		for i, c := range clientCases(false) {
			tg := sg.HTTPS[i%len(sg.HTTPS)]
			t.Run(c.name+"/https", func(t *testing.T) { c.run(t, tg) })
		}
	})
	t.Run("s3", func(t *testing.T) {
		sg := startSealgate(t, "s3")
		for _, c := range []clientCase{
			{"awscli-v2-full", func(t *testing.T, tg target) { testAWSCLI(t, tg, 2, true) }},
			{"awscli-v1", func(t *testing.T, tg target) { testAWSCLI(t, tg, 1, false) }},
			{"rclone", testRclone},
		} {
			t.Run(c.name+"/http", func(t *testing.T) { c.run(t, sg.HTTP[1]) })
		}
	})
}
