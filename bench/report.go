package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
)

const (
	colBase = "versitygw (plain)"
	colS3   = "sealgate S3"
	colDAV  = "sealgate WebDAV"

	rowBigPut = "large PUT MB/s"
	rowBigGet = "large GET MB/s"
	// rowBigGetCold is the same GET after the server's files are evicted
	// from the page cache: both servers read from the disk.
	rowBigGetCold = "same, from disk MB/s"
	rowSmallPut   = "4 KiB PUT ops/s c=%d"
	rowSmallGet   = "4 KiB GET ops/s c=%d"
	rowListCold   = "LIST all, cold (ms)"
	rowListWarm   = "LIST all, warm (ms)"
	rowRSSBig     = "RSS MiB, large PUT+GET"

	rowPropfindCold = "PROPFIND depth 1, LIST dir (ms)"
	rowPropfindWarm = "same, warm (ms)"
	rowRSS          = "RSS MiB, 4 KiB ops c≤32"

	// Two gateways over one upstream (multi.go): listings through the
	// gateway that did not write the objects, and 4 KiB operations dealt
	// round-robin to both.
	rowListOtherCold = "LIST all, cold, other gateway (ms)"
	rowListOtherWarm = "LIST all, warm, other gateway (ms)"
	rowRRPut         = "4 KiB PUT ops/s c=%d, 2 gateways"
	rowRRGet         = "4 KiB GET ops/s c=%d, 2 gateways"
)

// twoVsOne pairs each two-gateway row with its single-gateway row.
var twoVsOne = [][2]string{
	{fmt.Sprintf(rowRRPut, 16), fmt.Sprintf(rowSmallPut, 16)},
	{fmt.Sprintf(rowRRGet, 16), fmt.Sprintf(rowSmallGet, 16)},
	{fmt.Sprintf(rowRRPut, 32), fmt.Sprintf(rowSmallPut, 32)},
	{fmt.Sprintf(rowRRGet, 32), fmt.Sprintf(rowSmallGet, 32)},
}

// report collects the numbers of each (row, column), one per run.
type report struct {
	rows []string
	vals map[string]map[string][]float64
}

func (r *report) set(col, row string, v float64) {
	if r.vals == nil {
		r.vals = map[string]map[string][]float64{}
	}
	if r.vals[row] == nil {
		r.vals[row] = map[string][]float64{}
		r.rows = append(r.rows, row)
	}
	r.vals[row][col] = append(r.vals[row][col], v)
}

// last returns the latest number of (row, column).
func (r *report) last(col, row string) (float64, bool) {
	xs := r.vals[row][col]
	if len(xs) == 0 {
		return 0, false
	}
	return xs[len(xs)-1], true
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

func (r *report) print(w io.Writer, o options) {
	_, _ = fmt.Fprintf(w, "sealgate bench: %s/%s, %d CPUs, large object %d MiB, %d ops per 4 KiB row, LIST of %d objects, %d run(s)\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), o.size>>20, o.ops, o.list, max(o.runs, 1))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprintf(tw, "workload\t%s\t%s\t%s\tS3/plain\tWebDAV/plain\t\n", colBase, colS3, colDAV)
	for _, row := range r.rows {
		v := r.vals[row]
		med := func(col string) float64 { return median(v[col]) }
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", row, num(v, colBase), num(v, colS3), num(v, colDAV),
			ratio(med(colS3), med(colBase)), ratio(med(colDAV), med(colBase)))
		if o.runs > 1 {
			_, _ = fmt.Fprintf(tw, "\t%s\t%s\t%s\t\t\t\n", spread(v[colBase]), spread(v[colS3]), spread(v[colDAV]))
		}
	}
	_ = tw.Flush()
	_, _ = fmt.Fprintln(w, "\nCells are medians; with -runs, the line under each gives min–max. Ratios are of medians,")
	_, _ = fmt.Fprintln(w, "sealgate/plain; for LIST times and RSS, lower is better. The plain cells of the")
	_, _ = fmt.Fprintln(w, "other-gateway rows repeat versitygw's LIST rows; the 2-gateway rows compare with one gateway:")
	r.printTwoVsOne(w)
	r.printPairs(w, "sealgate S3, versioned / unversioned bucket (medians)", versionedVsPlain)
}

// printPairs prints the sealgate S3 medians of each pair's first row over
// its second.
func (r *report) printPairs(w io.Writer, title string, pairs [][2]string) {
	var parts []string
	for _, p := range pairs {
		a, b := median(r.vals[p[0]][colS3]), median(r.vals[p[1]][colS3])
		if a != 0 && b != 0 {
			parts = append(parts, p[0]+" "+ratio(a, b))
		}
	}
	if len(parts) > 0 {
		_, _ = fmt.Fprintf(w, "%s: %s.\n", title, strings.Join(parts, ", "))
	}
}

// printTwoVsOne prints the sealgate S3 medians of the round-robin rows
// over those of their single-gateway rows.
func (r *report) printTwoVsOne(w io.Writer) {
	var parts []string
	for _, p := range twoVsOne {
		two, one := median(r.vals[p[0]][colS3]), median(r.vals[p[1]][colS3])
		if two == 0 || one == 0 {
			continue
		}
		name := strings.Replace(strings.TrimPrefix(p[1], "4 KiB "), " ops/s", "", 1)
		parts = append(parts, name+" "+ratio(two, one))
	}
	if len(parts) > 0 {
		_, _ = fmt.Fprintf(w, "sealgate S3, 2 gateways / 1 (medians): %s.\n", strings.Join(parts, ", "))
	}
}

func num(v map[string][]float64, col string) string {
	xs, ok := v[col]
	if !ok {
		return "–"
	}
	return short(median(xs))
}

// spread is "min–max" of xs, or empty.
func spread(xs []float64) string {
	if len(xs) == 0 {
		return ""
	}
	return short(slices.Min(xs)) + "–" + short(slices.Max(xs))
}

func short(x float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.1f", x), "0"), ".")
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}
