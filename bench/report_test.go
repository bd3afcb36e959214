package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestMedianAndSpread(t *testing.T) {
	tests := []struct {
		xs     []float64
		median float64
		spread string
	}{
		{nil, 0, ""},
		{[]float64{3}, 3, "3–3"},
		{[]float64{5, 1, 3}, 3, "1–5"},
		{[]float64{4, 1, 3, 2}, 2.5, "1–4"},
		{[]float64{0.75, 1000.5}, 500.625, "0.8–1000.5"},
	}
	for _, tt := range tests {
		if got := median(tt.xs); got != tt.median {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.median)
		}
		if got := spread(tt.xs); got != tt.spread {
			t.Errorf("spread(%v) = %q, want %q", tt.xs, got, tt.spread)
		}
	}
}

func TestTwoVsOne(t *testing.T) {
	r := &report{}
	for _, v := range []float64{800, 1000, 900} {
		r.set(colS3, fmt.Sprintf(rowSmallPut, 16), v)
	}
	for _, v := range []float64{1000, 900, 700} {
		r.set(colS3, fmt.Sprintf(rowRRPut, 16), v)
	}
	var b strings.Builder
	r.printTwoVsOne(&b)
	if got, want := b.String(), "sealgate S3, 2 gateways / 1 (medians): PUT c=16 1.00.\n"; got != want {
		t.Errorf("printTwoVsOne = %q, want %q", got, want)
	}
	if v, ok := r.last(colS3, fmt.Sprintf(rowRRPut, 16)); !ok || v != 700 {
		t.Errorf("last = %v, %v; want 700, true", v, ok)
	}
	if _, ok := r.last(colBase, fmt.Sprintf(rowRRPut, 16)); ok {
		t.Error("last of an empty cell is ok")
	}
}
