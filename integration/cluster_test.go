package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/internal/gwproc"
	"github.com/sealgate/sealgate/internal/s3server"
)

// cluster is several `sealgate serve` processes (the built binary) over one
// upstream, as an operator runs them behind a balancer: the same root key
// (SEALGATE_ROOT_KEY) and upstream settings, one data dir each.
type cluster struct {
	t        *testing.T
	bin      string
	upstream string // "fs", "s3" (versitygw) or "minio"
	fsDir    string // fs: the shared upstream directory
	s3       *s3server.Server
	bucket   string // s3, minio: the upstream bucket
	common   []string
	dirs     []string
	gws      []*gwproc.Gateway
}

const upstreamPrefix = "sg/" // s3 and minio upstreams: sealgate's objects live under it

// newCluster initialises a deployment with `sealgate init` through the
// first gateway's settings and starts n gateways.
func newCluster(t *testing.T, upstream string, n int) *cluster {
	t.Helper()
	return newClusterWith(t, upstream, n)
}

// newClusterWith is newCluster with more environment for every gateway.
func newClusterWith(t *testing.T, upstream string, n int, env ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: gwproc.Build(t), upstream: upstream}
	root := make([]byte, 32)
	_, _ = rand.Read(root)
	c.common = append([]string{"SEALGATE_ROOT_KEY=" + hex.EncodeToString(root)}, env...)
	switch upstream {
	case "fs":
		c.fsDir = filepath.Join(t.TempDir(), "shared-upstream")
		c.common = append(c.common, "SEALGATE_UPSTREAM=fs", "SEALGATE_UPSTREAM_DIR="+c.fsDir)
	case "s3", "minio":
		if upstream == "s3" {
			c.s3 = s3server.Start(t)
		} else {
			c.s3 = s3server.StartMinIO(t)
		}
		c.bucket = c.s3.NewBucket(t)
		c.common = append(c.common, "SEALGATE_UPSTREAM=s3", "SEALGATE_UPSTREAM_BUCKET="+c.bucket,
			"SEALGATE_UPSTREAM_PREFIX="+upstreamPrefix, "SEALGATE_UPSTREAM_ENDPOINT="+c.s3.Endpoint,
			"SEALGATE_UPSTREAM_PATH_STYLE=true", "SEALGATE_UPSTREAM_REGION="+c.s3.Region,
			"AWS_ACCESS_KEY_ID="+c.s3.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.s3.SecretAccessKey)
	}
	base := t.TempDir()
	for i := range n {
		c.dirs = append(c.dirs, filepath.Join(base, fmt.Sprintf("gw%d", i)))
	}
	if out, errOut, err := c.try(0, "", "init"); err != nil {
		t.Fatalf("init: %v\n%s%s", err, out, errOut)
	}
	var wg sync.WaitGroup
	c.gws = make([]*gwproc.Gateway, n)
	for i := range n {
		wg.Go(func() { c.gws[i] = gwproc.Start(t, c.bin, c.env(i)...) })
	}
	wg.Wait()
	return c
}

// env is gateway i's environment.
func (c *cluster) env(i int) []string {
	return append(append([]string(nil), c.common...), "SEALGATE_DATA_DIR="+c.dirs[i])
}

// restart starts gateway i again on its data dir.
func (c *cluster) restart(i int) { c.gws[i] = gwproc.Start(c.t, c.bin, c.env(i)...) }

// try runs a sealgate command with gateway i's settings (it need not run).
func (c *cluster) try(i int, stdin string, args ...string) (string, string, error) {
	g := &gwproc.Gateway{Bin: c.bin, Env: append(gwproc.BaseEnv(), c.env(i)...)}
	return g.TryCLI(stdin, args...)
}

// cli is try that fails the test on an error.
func (c *cluster) cli(i int, stdin string, args ...string) string {
	c.t.Helper()
	out, errOut, err := c.try(i, stdin, args...)
	if err != nil {
		c.t.Fatalf("sealgate %s (gateway %d): %v\n%s", strings.Join(args, " "), i, err, errOut)
	}
	return out
}

// account is an account's credentials as `user add --json` prints them.
type account struct {
	User     string `json:"user"`
	Access   string `json:"access_key_id"`
	Secret   string `json:"secret_access_key"`
	Password string `json:"password"`
}

// addUser creates an account through gateway i's settings, with the
// password name + " password".
func (c *cluster) addUser(i int, name string) account {
	c.t.Helper()
	return c.addUserWith(i, name, name+" password")
}

// addUserWith creates an account with the given password.
func (c *cluster) addUserWith(i int, name, password string) account {
	c.t.Helper()
	var a account
	out := c.cli(i, password+"\n", "user", "add", name, "--json", "--password-stdin")
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		c.t.Fatalf("user add: %v: %q", err, out)
	}
	return a
}

// client is an S3 client of gateway i, without retries (a failure shows).
func (c *cluster) client(i int, a account) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.gws[i].URL["s3"]), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(a.Access, a.Secret, ""), RetryMaxAttempts: 1})
}

// upstreamClient talks to the S3 upstream (s3 or minio) itself, as its
// operator could.
func (c *cluster) upstreamClient() *s3.Client {
	return s3.New(s3.Options{Region: c.s3.Region, BaseEndpoint: aws.String(c.s3.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(c.s3.AccessKeyID, c.s3.SecretAccessKey, "")})
}

// keystoreRecord reads the raw keystore record from the upstream.
func (c *cluster) keystoreRecord() []byte {
	c.t.Helper()
	if c.upstream == "fs" {
		b, err := os.ReadFile(filepath.Join(c.fsDir, "data", ".sealgate", "keystore"))
		if err != nil {
			c.t.Fatal(err)
		}
		return b
	}
	out, err := c.upstreamClient().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(upstreamPrefix + ".sealgate/keystore")})
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// putKeystoreRecord replaces the upstream keystore record behind the
// gateways' backs (a rollback by the upstream or its operator).
func (c *cluster) putKeystoreRecord(b []byte) {
	c.t.Helper()
	if c.upstream == "fs" {
		p := filepath.Join(c.fsDir, "data", ".sealgate", "keystore")
		tmp := p + ".rollback"
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			c.t.Fatal(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			c.t.Fatal(err)
		}
		return
	}
	_, err := c.upstreamClient().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(c.bucket),
		Key: aws.String(upstreamPrefix + ".sealgate/keystore"), Body: bytes.NewReader(b)})
	if err != nil {
		c.t.Fatal(err)
	}
}

// metric returns gateway i's /metrics text.
func (c *cluster) metrics(i int) string {
	c.t.Helper()
	resp, err := http.Get(c.gws[i].URL["admin"] + "/metrics")
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
