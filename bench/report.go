package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
)

const (
	colBase = "versitygw (plain)"
	colS3   = "sealgate S3"
	colDAV  = "sealgate WebDAV"

	rowBigPut   = "large PUT MB/s"
	rowBigGet   = "large GET MB/s"
	rowSmallPut = "4 KiB PUT ops/s c=%d"
	rowSmallGet = "4 KiB GET ops/s c=%d"
	rowListCold = "LIST all, cold (ms)"
	rowListWarm = "LIST all, warm (ms)"
	rowRSSBig   = "RSS MiB, large PUT+GET"

	rowPropfindCold = "PROPFIND depth 1, LIST dir (ms)"
	rowPropfindWarm = "same, warm (ms)"
	rowRSS          = "RSS MiB, 4 KiB ops c≤32"
)

// report collects one number per (column, row).
type report struct {
	rows []string
	vals map[string]map[string]float64
}

func (r *report) set(col, row string, v float64) {
	if r.vals == nil {
		r.vals = map[string]map[string]float64{}
	}
	if r.vals[row] == nil {
		r.vals[row] = map[string]float64{}
		r.rows = append(r.rows, row)
	}
	r.vals[row][col] = v
}

func (r *report) print(w io.Writer, o options) {
	_, _ = fmt.Fprintf(w, "sealgate bench: %s/%s, %d CPUs, large object %d MiB, %d ops per 4 KiB row, LIST of %d objects\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), o.size>>20, o.ops, o.list)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprintf(tw, "workload\t%s\t%s\t%s\tS3/plain\tWebDAV/plain\t\n", colBase, colS3, colDAV)
	for _, row := range r.rows {
		v := r.vals[row]
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", row, num(v, colBase), num(v, colS3), num(v, colDAV),
			ratio(v[colS3], v[colBase]), ratio(v[colDAV], v[colBase]))
	}
	_ = tw.Flush()
	_, _ = fmt.Fprintln(w, "\nRatios are sealgate/plain; for LIST times and RSS, lower is better.")
}

func num(v map[string]float64, col string) string {
	x, ok := v[col]
	if !ok {
		return "–"
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.1f", x), "0"), ".")
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}
