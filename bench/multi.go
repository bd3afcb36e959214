package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// benchPeers measures a deployment of two gateways over one upstream: a
// (which wrote the bench bucket) and a second gateway b started now, with
// its own data dir, over a's fs upstream and root key.
//
//   - LIST through the gateway that did not write the objects: its first
//     listing (a fresh process) and, after it, the warm one. Their plain
//     cells repeat versitygw's cold and warm LIST of the same run.
//   - 4 KiB PUT and GET at concurrency 16 and 32 dealt round-robin to one
//     client per gateway, over the objects of the single-gateway rows (so
//     the PUTs overwrite, as there); each GET goes to the gateway that did
//     not write that object.
func benchPeers(ctx context.Context, o options, a *proc, ca *s3.Client, r *report) error {
	b, err := startPeer(o.sealgate, a, filepath.Join(o.dir, "sealgate-b-data"))
	if err != nil {
		return fmt.Errorf("second gateway: %w", err)
	}
	defer b.stop(stopCtx())
	cb := s3Client(b)
	for _, rows := range [][3]string{{rowListOtherCold, rowListCold}, {rowListOtherWarm, rowListWarm}} {
		if err := listRows(ctx, cb, r, colS3, rows[0], o.list); err != nil {
			return fmt.Errorf("second gateway: %w", err)
		}
		if v, ok := r.last(colBase, rows[1]); ok {
			r.set(colBase, rows[0], v)
		}
	}
	clients := []*s3.Client{ca, cb}
	for _, conc := range []int{16, 32} {
		p, err := roundRobin(ctx, clients, "bench", o.ops, conc, false)
		if err != nil {
			return fmt.Errorf("two gateways: 4 KiB PUT c=%d: %w", conc, err)
		}
		g, err := roundRobin(ctx, clients, "bench", o.ops, conc, true)
		if err != nil {
			return fmt.Errorf("two gateways: 4 KiB GET c=%d: %w", conc, err)
		}
		r.set(colS3, fmt.Sprintf(rowRRPut, conc), p)
		r.set(colS3, fmt.Sprintf(rowRRGet, conc), g)
	}
	return nil
}

// roundRobin runs the 4 KiB PUTs (or GETs) of smallOps with conc workers,
// dealing operation i to clients[i % len] for a PUT and to the next client
// for a GET, so that each GET reaches a gateway that did not write that
// object; operations per second.
func roundRobin(ctx context.Context, clients []*s3.Client, bucket string, ops, conc int, get bool) (float64, error) {
	body := bytes.Repeat([]byte("x"), 4096)
	shift := 0
	if get {
		shift = 1
	}
	return parallel(ops, conc, func(i int) error {
		return smallOp(ctx, clients[(i+shift)%len(clients)], bucket, i, body, get)
	})
}
