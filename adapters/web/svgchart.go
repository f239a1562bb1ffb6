package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/aduan-gateway/aduan/core/stats"
)

// The charts are drawn on the server as inline SVG: no script, readable
// without colour (every value is written as text), printable. Each has a
// title and a description a screen reader announces.

const chartWidth = 640

// barChart draws one horizontal bar per count, its label above it and its
// number after it.
func barChart(id, title string, counts []stats.Count) template.HTML {
	const rowH, barH, labelW = 38, 14, 560
	top := 8
	h := top + rowH*max(len(counts), 1) + 4
	total := 0
	most := 1
	for _, c := range counts {
		total += c.N
		most = max(most, c.N)
	}
	var b strings.Builder
	desc := make([]string, len(counts))
	for i, c := range counts {
		desc[i] = fmt.Sprintf("%s: %d", c.Label, c.N)
	}
	svgOpen(&b, id, title, strings.Join(desc, "; "), h)
	if len(counts) == 0 {
		fmt.Fprintf(&b, `<text x="0" y="%d" class="chart-empty">Tidak ada data.</text>`, top+18)
	}
	for i, c := range counts {
		y := top + i*rowH
		w := float64(labelW) * float64(c.N) / float64(most)
		fmt.Fprintf(&b, `<text x="0" y="%d" class="chart-label">%s</text>`, y+12, html.EscapeString(c.Label))
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%.1f" height="%d" rx="2" class="chart-bar"><title>%s: %d</title></rect>`,
			y+17, max(w, 1), barH, html.EscapeString(c.Label), c.N)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="chart-value">%d</text>`, max(w, 1)+6, y+17+barH-2, c.N)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every label is escaped above
}

// series is one line of the trend chart.
type series struct {
	Name   string
	Class  string // chart-line-a, chart-line-b
	Values []int
}

// lineChart draws the trend: one line per series over the months, a point
// with its number at each month.
func lineChart(id, title string, months []stats.Month, lines []series) template.HTML {
	const h, left, right, top, bottom = 260, 36, 12, 30, 40
	plotW, plotH := chartWidth-left-right, h-top-bottom
	most := 1
	for _, s := range lines {
		for _, v := range s.Values {
			most = max(most, v)
		}
	}
	step := float64(plotW) / float64(max(len(months)-1, 1))
	x := func(i int) float64 { return float64(left) + step*float64(i) }
	y := func(v int) float64 { return float64(top+plotH) - float64(plotH)*float64(v)/float64(most) }

	var desc []string
	for _, s := range lines {
		parts := make([]string, len(months))
		for i, m := range months {
			parts[i] = fmt.Sprintf("%s %d", m.Label(), s.Values[i])
		}
		desc = append(desc, s.Name+": "+strings.Join(parts, ", "))
	}
	var b strings.Builder
	svgOpen(&b, id, title, strings.Join(desc, ". "), h)
	// Axis and grid: zero, half and the largest value.
	for _, v := range []int{0, most / 2, most} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="chart-grid"/>`, left, left+plotW, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="chart-axis" text-anchor="end">%d</text>`, left-6, y(v)+4, v)
	}
	for i, m := range months {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="chart-axis" text-anchor="middle">%s</text>`, x(i), h-bottom+18, m.Short())
	}
	// Legend.
	for k, s := range lines {
		lx := left + k*150
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="12" y2="12" class="chart-line %s"/>`, lx, lx+22, s.Class)
		fmt.Fprintf(&b, `<text x="%d" y="16" class="chart-label">%s</text>`, lx+28, html.EscapeString(s.Name))
	}
	for _, s := range lines {
		pts := make([]string, len(s.Values))
		for i, v := range s.Values {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(v))
		}
		fmt.Fprintf(&b, `<polyline points="%s" class="chart-line %s"/>`, strings.Join(pts, " "), s.Class)
		for i, v := range s.Values {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" class="chart-point %s"><title>%s, %s: %d</title></circle>`,
				x(i), y(v), s.Class, html.EscapeString(s.Name), months[i].Label(), v)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="chart-value %s" text-anchor="middle">%d</text>`, x(i), y(v)-8, s.Class, v)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every label is escaped above
}

func svgOpen(b *strings.Builder, id, title, desc string, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %d %d" width="%d" height="%d" `+
		`aria-labelledby="%s-t %s-d"><title id="%s-t">%s</title><desc id="%s-d">%s</desc>`,
		chartWidth, h, chartWidth, h, id, id, id, html.EscapeString(title), id, html.EscapeString(desc))
}
