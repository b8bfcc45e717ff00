package analytics

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Charts are drawn here, on the server, as standalone SVG: no scripts, no
// external fonts or styles, so the same bytes go into the dashboard, an
// HTML report or a file.

// Chart names for ChartSVG.
const (
	ChartCurve  = "curve"  // cumulative acceptance by age, with its 95% band
	ChartChance = "chance" // chance that one still pending at an age is ever accepted
	ChartWeekly = "weekly" // invitations sent per week against the limit
	ChartAges   = "ages"   // pending invitations by age
	ChartTrend  = "trend"  // pending at the end of each week
	// ChartGroups prefixes a dimension key: "groups-weekday", ...
	ChartGroups = "groups-"
)

// ChartNames lists every chart the report can draw, in reading order.
func (r *Report) ChartNames() []string {
	names := []string{ChartCurve, ChartChance, ChartAges, ChartWeekly, ChartTrend}
	for _, d := range r.Groups {
		if len(d.Groups) > 0 && d.NotComparable == "" {
			names = append(names, ChartGroups+d.Key)
		}
	}
	return names
}

// ChartSVG draws the named chart (see ChartNames).
func (r *Report) ChartSVG(name string) ([]byte, error) {
	switch name {
	case ChartCurve:
		return r.CurveSVG(), nil
	case ChartChance:
		return r.ChanceSVG(), nil
	case ChartWeekly:
		return r.WeeklySVG(), nil
	case ChartAges:
		return r.AgesSVG(), nil
	case ChartTrend:
		return r.TrendSVG(), nil
	}
	if key, ok := strings.CutPrefix(name, ChartGroups); ok {
		for _, d := range r.Groups {
			if d.Key == key && d.NotComparable != "" {
				return nil, fmt.Errorf("analytics: no chart %q: %s", name, d.NotComparable)
			}
			if d.Key == key {
				return GroupsSVG(d, r.Overall, r.Options.SettleDays), nil
			}
		}
	}
	return nil, fmt.Errorf("analytics: no chart %q (want one of %s)", name, strings.Join(r.ChartNames(), ", "))
}

const (
	chartW, chartH                      = 720, 320
	padL, padR, padT, padB              = 56, 20, 36, 44
	colAccent, colBand, colGone, colInk = "#1f6feb", "#1f6feb33", "#d1242f", "#24292f"
	colGrid, colMuted, colBar, colWarn  = "#d0d7de", "#57606a", "#6e7781", "#bf8700"
)

// canvas is an SVG being written, with the plot area's scales.
type canvas struct {
	b          bytes.Buffer
	w, h       int
	x0, x1     float64 // data range on x
	y0, y1     float64 // data range on y
	left, top  float64
	plotW, plH float64
}

func newCanvas(title string, w, h int, x0, x1, y0, y1 float64) *canvas {
	c := &canvas{w: w, h: h, x0: x0, x1: x1, y0: y0, y1: y1, left: padL, top: padT,
		plotW: float64(w - padL - padR), plH: float64(h - padT - padB)}
	if c.x1 <= c.x0 {
		c.x1 = c.x0 + 1
	}
	if c.y1 <= c.y0 {
		c.y1 = c.y0 + 1
	}
	fmt.Fprintf(&c.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
		w, h, w, h, esc(title))
	fmt.Fprintf(&c.b, `<title>%s</title><rect width="100%%" height="100%%" fill="#ffffff"/>`, esc(title))
	c.text(float64(padL), 20, "start", colInk, 14, title)
	return c
}

func esc(s string) string { return html.EscapeString(s) }

func (c *canvas) X(v float64) float64 { return c.left + (v-c.x0)/(c.x1-c.x0)*c.plotW }
func (c *canvas) Y(v float64) float64 { return c.top + c.plH - (v-c.y0)/(c.y1-c.y0)*c.plH }

func (c *canvas) text(x, y float64, anchor, color string, size int, s string) {
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="%s" fill="%s" font-size="%d">%s</text>`, x, y, anchor, color, size, esc(s))
}

func (c *canvas) line(x1, y1, x2, y2 float64, color string, width float64, dash string) {
	fmt.Fprintf(&c.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"`, x1, y1, x2, y2, color, width)
	if dash != "" {
		fmt.Fprintf(&c.b, ` stroke-dasharray="%s"`, dash)
	}
	c.b.WriteString(`/>`)
}

func (c *canvas) rect(x, y, w, h float64, color, tip string) {
	fmt.Fprintf(&c.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">`, x, y, math.Max(w, 0), math.Max(h, 0), color)
	if tip != "" {
		fmt.Fprintf(&c.b, `<title>%s</title>`, esc(tip))
	}
	c.b.WriteString(`</rect>`)
}

func (c *canvas) path(pts [][2]float64, stroke, fill string, width float64) {
	if len(pts) == 0 {
		return
	}
	c.b.WriteString(`<path d="`)
	for i, p := range pts {
		cmd := 'L'
		if i == 0 {
			cmd = 'M'
		}
		fmt.Fprintf(&c.b, "%c%.1f %.1f", cmd, p[0], p[1])
	}
	if fill != "none" {
		c.b.WriteByte('Z')
	}
	fmt.Fprintf(&c.b, `" fill="%s" stroke="%s" stroke-width="%.1f" stroke-linejoin="round"/>`, fill, stroke, width)
}

// yAxis draws horizontal grid lines at ticks with labels.
func (c *canvas) yAxis(ticks []float64, label func(float64) string, title string) {
	for _, t := range ticks {
		y := c.Y(t)
		c.line(c.left, y, c.left+c.plotW, y, colGrid, 1, "")
		c.text(c.left-6, y+4, "end", colMuted, 11, label(t))
	}
	if title != "" {
		fmt.Fprintf(&c.b, `<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle" fill="%s" font-size="11">%s</text>`,
			c.top+c.plH/2, colMuted, esc(title))
	}
}

func (c *canvas) xTitle(s string) {
	c.text(c.left+c.plotW/2, float64(c.h)-6, "middle", colMuted, 11, s)
}

func (c *canvas) note(s string) {
	c.text(c.left+c.plotW/2, c.top+c.plH/2, "middle", colMuted, 13, s)
}

func (c *canvas) done() []byte {
	c.b.WriteString(`</svg>`)
	return c.b.Bytes()
}

// niceTicks returns about n round tick values from 0 to at least max.
func niceTicks(max float64, n int) []float64 {
	if max <= 0 {
		max = 1
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for v := 0.0; v <= max+step/2; v += step {
		ticks = append(ticks, v)
	}
	if ticks[len(ticks)-1] < max {
		ticks = append(ticks, ticks[len(ticks)-1]+step)
	}
	return ticks
}

func pct(v float64) string {
	return strconv.FormatFloat(math.Round(1000*v)/10, 'f', -1, 64) + "%"
}

func itoa(v float64) string { return fmt.Sprintf("%.0f", v) }

// CurveSVG draws the cumulative share accepted by age with its 95% band,
// the share gone, and the learned cut-off age.
func (r *Report) CurveSVG() []byte {
	cv := r.Curve
	maxDay := min(cv.MaxDays, 120)
	top := 0.0
	for _, p := range cv.Points[:min(len(cv.Points), maxDay+1)] {
		top = math.Max(top, math.Max(p.AcceptedHigh, p.Gone))
	}
	ticks := niceTicks(math.Max(top, 0.05), 5)
	c := newCanvas("Share accepted by age (95% band)", chartW, chartH, 0, float64(max(maxDay, 1)), 0, ticks[len(ticks)-1])
	c.yAxis(ticks, pct, "share of invitations")
	for _, t := range niceTicks(float64(max(maxDay, 1)), 8) {
		if t > float64(maxDay) {
			break
		}
		c.text(c.X(t), c.top+c.plH+16, "middle", colMuted, 11, itoa(t))
	}
	c.xTitle("age in days")
	if len(cv.Points) < 2 {
		c.note("No history yet")
		return c.done()
	}
	pts := cv.Points[:maxDay+1]
	var band, acc, gone [][2]float64
	for _, p := range pts {
		band = append(band, [2]float64{c.X(float64(p.Day)), c.Y(p.AcceptedHigh)})
	}
	for i := len(pts) - 1; i >= 0; i-- {
		band = append(band, [2]float64{c.X(float64(pts[i].Day)), c.Y(pts[i].AcceptedLow)})
	}
	// Step functions: the estimate holds until the next day.
	for i, p := range pts {
		x, y := c.X(float64(p.Day)), c.Y(p.Accepted)
		if i > 0 {
			acc = append(acc, [2]float64{x, acc[len(acc)-1][1]})
			gone = append(gone, [2]float64{x, gone[len(gone)-1][1]})
		}
		acc = append(acc, [2]float64{x, y})
		gone = append(gone, [2]float64{x, c.Y(p.Gone)})
	}
	c.path(band, "none", colBand, 0)
	c.path(acc, colAccent, "none", 2)
	if cv.Gone > 0 {
		c.path(gone, colGone, "none", 1.5)
	}
	if r.Cutoff.Found && r.Cutoff.Days <= maxDay {
		x := c.X(float64(r.Cutoff.Days))
		c.line(x, c.top, x, c.top+c.plH, colWarn, 1.5, "5 4")
		c.text(x+4, c.top+12, "start", colWarn, 11, fmt.Sprintf("chance < %s after %s", pct(r.Cutoff.Threshold), days(r.Cutoff.Days)))
	}
	// Legend.
	lx := c.left + c.plotW - 170
	ly := c.top + c.plH - 40
	c.line(lx, ly, lx+20, ly, colAccent, 2, "")
	c.text(lx+26, ly+4, "start", colInk, 11, "accepted (cumulative)")
	if cv.Gone > 0 {
		c.line(lx, ly+16, lx+20, ly+16, colGone, 1.5, "")
		c.text(lx+26, ly+20, "start", colInk, 11, "gone (competing)")
	}
	return c.done()
}

// ChanceSVG draws, by age, the chance that an invitation still pending
// then will ever be accepted, over the ages with enough invitations left,
// with the threshold and the learned cut-off.
func (r *Report) ChanceSVG() []byte {
	cv := r.Curve
	var pts []Point
	for _, p := range cv.Points {
		if p.Reliable && p.Day <= 120 {
			pts = append(pts, p)
		}
	}
	top := r.Cutoff.Threshold
	for _, p := range pts {
		top = math.Max(top, p.Chance)
	}
	ticks := niceTicks(math.Max(top, 0.05), 5)
	maxDay := 1
	if len(pts) > 0 {
		maxDay = max(pts[len(pts)-1].Day, 1)
	}
	c := newCanvas("Chance that one still pending is ever accepted, by age", chartW, chartH, 0, float64(maxDay), 0, ticks[len(ticks)-1])
	c.yAxis(ticks, pct, "chance of acceptance")
	for _, t := range niceTicks(float64(maxDay), 8) {
		if t <= float64(maxDay) {
			c.text(c.X(t), c.top+c.plH+16, "middle", colMuted, 11, itoa(t))
		}
	}
	c.xTitle(fmt.Sprintf("age in days (where at least %d are still pending)", cv.MinAtRisk))
	if len(pts) < 2 {
		c.note("Not enough history yet")
		return c.done()
	}
	y := c.Y(r.Cutoff.Threshold)
	c.line(c.left, y, c.left+c.plotW, y, colGone, 1, "6 4")
	c.text(c.left+c.plotW, y-5, "end", colGone, 11, "threshold "+pct(r.Cutoff.Threshold))
	var line [][2]float64
	for _, p := range pts {
		line = append(line, [2]float64{c.X(float64(p.Day)), c.Y(p.Chance)})
	}
	c.path(line, colAccent, "none", 2)
	if r.Cutoff.Found && r.Cutoff.Days <= maxDay {
		x := c.X(float64(r.Cutoff.Days))
		c.line(x, c.top, x, c.top+c.plH, colWarn, 1.5, "5 4")
		c.text(x+4, c.top+12, "start", colWarn, 11, "after "+days(r.Cutoff.Days))
	}
	return c.done()
}

// bars draws one bar a value with labels under every nth bar.
func bars(title, yTitle string, labels []string, values []int, limit int, color string, every int, tip func(i int) string) []byte {
	top := 0
	for _, v := range values {
		top = max(top, v)
	}
	ticks := niceTicks(float64(max(top, limit, 1)), 5)
	c := newCanvas(title, chartW, chartH, 0, float64(max(len(values), 1)), 0, ticks[len(ticks)-1])
	c.yAxis(ticks, itoa, yTitle)
	slot := c.plotW / float64(max(len(values), 1))
	for i, v := range values {
		x := c.left + float64(i)*slot
		c.rect(x+slot*0.15, c.Y(float64(v)), slot*0.7, c.Y(0)-c.Y(float64(v)), color, tip(i))
		if i%every == 0 {
			c.text(x+slot/2, c.top+c.plH+16, "middle", colMuted, 10, labels[i])
		}
	}
	if limit > 0 {
		y := c.Y(float64(limit))
		c.line(c.left, y, c.left+c.plotW, y, colGone, 1.5, "6 4")
		c.text(c.left+c.plotW, y-5, "end", colGone, 11, fmt.Sprintf("weekly limit %d", limit))
	}
	return c.done()
}

// WeeklySVG draws invitations sent per calendar week against LinkedIn's
// weekly limit.
func (r *Report) WeeklySVG() []byte {
	var labels []string
	var values []int
	for _, w := range r.Weekly.Weeks {
		labels, values = append(labels, w.Start[5:]), append(values, w.Count)
	}
	title := fmt.Sprintf("Invitations sent a week (last 7 days: %d of %d)", r.Weekly.Last7Days, r.Weekly.Limit)
	return bars(title, "sent", labels, values, r.Weekly.Limit, colAccent, max(1, len(values)/9),
		func(i int) string { return fmt.Sprintf("week of %s: %d sent", r.Weekly.Weeks[i].Start, values[i]) })
}

// AgesSVG draws the pending invitations by age.
func (r *Report) AgesSVG() []byte {
	var labels []string
	var values []int
	for _, b := range r.PendingAges {
		labels, values = append(labels, b.Label), append(values, b.Count)
	}
	return bars(fmt.Sprintf("Pending invitations by age in days (%d pending)", r.ByStatus["pending"]), "pending",
		labels, values, 0, colBar, 1,
		func(i int) string { return fmt.Sprintf("%s days: %d pending", labels[i], values[i]) })
}

// TrendSVG draws how many were pending at the end of each week.
func (r *Report) TrendSVG() []byte {
	var labels []string
	var values []int
	for _, w := range r.PendingTrend {
		labels, values = append(labels, w.Start[5:]), append(values, w.Count)
	}
	return bars("Pending at the end of each week", "pending", labels, values, 0, colBar, max(1, len(values)/9),
		func(i int) string {
			return fmt.Sprintf("week of %s: %d pending at its end", r.PendingTrend[i].Start, values[i])
		})
}

// GroupsSVG draws a dimension's acceptance rates as dots with their 95%
// Wilson intervals, the overall rate as a line; groups too small are grey.
func GroupsSVG(d Dimension, overall Rate, settleDays int) []byte {
	rowH := 22.0
	h := padT + 30 + int(rowH*float64(max(len(d.Groups), 1)))
	labelW := 190.0
	top := overall.High
	for _, g := range d.Groups {
		top = math.Max(top, g.High)
	}
	ticks := niceTicks(math.Max(top, 0.05), 5)
	c := newCanvas(fmt.Sprintf("Accepted within %s, by %s (95%% intervals; * too few)", days(settleDays), strings.ToLower(d.Title)),
		chartW, h, 0, ticks[len(ticks)-1], 0, 1)
	c.left, c.plotW = labelW, float64(chartW)-labelW-padR-70
	c.top, c.plH = padT, rowH*float64(max(len(d.Groups), 1))
	for _, t := range ticks {
		x := c.X(t)
		c.line(x, c.top, x, c.top+c.plH, colGrid, 1, "")
		c.text(x, c.top+c.plH+16, "middle", colMuted, 11, pct(t))
	}
	if overall.Settled > 0 {
		x := c.X(overall.Rate)
		c.line(x, c.top, x, c.top+c.plH, colMuted, 1, "4 3")
	}
	if len(d.Groups) == 0 {
		c.note("No invitations")
		return c.done()
	}
	for i, g := range d.Groups {
		y := c.top + rowH*(float64(i)+0.5)
		color := colAccent
		tip := fmt.Sprintf("%s: %d of %d settled accepted (%s, 95%% %s–%s); %d sent", g.Label, g.Accepted, g.Settled,
			pct(g.Rate), pct(g.Low), pct(g.High), g.Sent)
		label := g.Label
		if g.TooSmall {
			color, tip, label = colBar, tip+"; too few to compare", label+" *"
		}
		if len([]rune(label)) > 28 {
			label = string([]rune(label)[:27]) + "…"
		}
		c.text(c.left-8, y+4, "end", colInk, 11, label)
		if g.Settled == 0 {
			c.text(c.left+4, y+4, "start", colMuted, 11, "not settled yet")
			continue
		}
		c.line(c.X(g.Low), y, c.X(g.High), y, color, 2, "")
		fmt.Fprintf(&c.b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s</title></circle>`, c.X(g.Rate), y, color, esc(tip))
		c.text(c.left+c.plotW+8, y+4, "start", colMuted, 10, fmt.Sprintf("n=%d", g.Settled))
	}
	return c.done()
}
