package main

import "testing"

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
