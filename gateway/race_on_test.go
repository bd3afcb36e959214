//go:build race

package gateway

// raceEnabled: the race detector makes the large-scale tests run at a
// fifth of their size (same assertions).
const raceEnabled = true
