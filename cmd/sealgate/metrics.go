package main

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sealgate/sealgate/gateway"
)

// metrics are the Prometheus metrics served on the admin address.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	bytes     *prometheus.CounterVec
	integrity *prometheus.CounterVec
	lifecycle *prometheus.CounterVec
}

// newMetrics makes the metrics that exist before the service does; watch
// adds the service's and the limiter's.
func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sealgate_requests_total",
			Help: "Requests by door, operation and HTTP status (499: the client went away before its response was complete)."},
			[]string{"door", "op", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sealgate_request_duration_seconds",
			Help: "Request latency by door and operation.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 14)},
			[]string{"door", "op"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sealgate_bytes_total",
			Help: "Body bytes by door and direction (in: request bodies, out: responses)."}, []string{"door", "direction"}),
		integrity: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sealgate_integrity_failures_total",
			Help: "Upstream data that failed authentication or was refused, by reason: name, object, record (objects and " +
				"their records), keystore_rollback, keystore_fork, keystore_foreign_root, keystore_other_deployment, " +
				"keystore_unreadable, keystore_missing."}, []string{"reason"}),
	}
	m.lifecycle = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sealgate_lifecycle_actions_total",
		Help: "Lifecycle rule actions by kind: expired (current versions), marker_removed, noncurrent_removed, upload_aborted, kept_locked."},
		[]string{"action"})
	m.reg.MustRegister(m.requests, m.latency, m.bytes, m.integrity, m.lifecycle,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watch registers the counters of the service and the limiter.
func (m *metrics) watch(svc *gateway.Service, lim *gateway.Limiter) {
	counter := func(name, help string, f func() int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f()) })
	}
	m.reg.MustRegister(
		counter("sealgate_meta_cache_hits_total", "Decrypted-metadata cache hits.", func() int64 { return svc.Stats().MetaCacheHits }),
		counter("sealgate_meta_cache_misses_total", "Decrypted-metadata cache misses (objects opened upstream).", func() int64 { return svc.Stats().MetaCacheMisses }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sealgate_requests_in_flight", Help: "Requests being served."},
			func() float64 { return float64(lim.InFlight()) }))
}

// observe records one finished request.
func (m *metrics) observe(r gateway.RequestRecord) {
	m.requests.WithLabelValues(r.Door, r.Op, strconv.Itoa(r.Status)).Inc()
	m.latency.WithLabelValues(r.Door, r.Op).Observe(r.Duration.Seconds())
	m.bytes.WithLabelValues(r.Door, "in").Add(float64(r.BytesIn))
	m.bytes.WithLabelValues(r.Door, "out").Add(float64(r.BytesOut))
}

func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }
