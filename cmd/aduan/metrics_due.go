package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// dueCollector reports the open complaints by due state, counted at each
// scrape: aduan_complaints_open{due_state="overdue|near|on_track|none"}.
type dueCollector struct {
	store *store.Store
	svc   *complaint.Service
	desc  *prometheus.Desc
}

func newDueCollector(st *store.Store, svc *complaint.Service) *dueCollector {
	return &dueCollector{store: st, svc: svc, desc: prometheus.NewDesc("aduan_complaints_open",
		"Open complaints (awaiting verification, verified, being followed up, postponed) by due state; none: not verified yet.",
		[]string{"due_state"}, nil)}
}

func (c *dueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect sends nothing when the database does not answer, so the rest of
// /metrics still comes through.
func (c *dueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.store.CountByDueDate(ctx, workflow.OpenStatuses())
	if err != nil {
		return
	}
	now := time.Now()
	by := map[string]int{"overdue": 0, "near": 0, "on_track": 0, "none": 0}
	for _, dc := range counts {
		by[c.state(dc.DueDate, now)] += dc.Count
	}
	for state, n := range by {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}

// state is the due state of an open complaint due on dueDate. Where the
// calendar lacks a year, the date alone tells overdue from not.
func (c *dueCollector) state(dueDate string, now time.Time) string {
	if dueDate == "" {
		return "none"
	}
	d, err := c.svc.DueAt(workflow.Verified, dueDate, now)
	if err == nil {
		return string(d.State)
	}
	if due, err := calendar.ParseDate(dueDate); err == nil && due.Before(calendar.DateOf(now)) {
		return "overdue"
	}
	return "on_track"
}
