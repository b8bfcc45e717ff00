package web

import (
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strings"

	"github.com/unvite/unvite/stats"
)

// Charts are drawn here as SVG, so they read without JavaScript; sizes are
// in a viewBox that scales to the card. Colours come from classes in
// app.css (the CSP allows no inline style).

// level names a share of a limit for colour: ok below 80%, warn to 100%,
// over beyond.
func level(value, limit int) string {
	switch {
	case limit <= 0:
		return "none"
	case value > limit:
		return "over"
	case value*5 >= limit*4:
		return "warn"
	}
	return "ok"
}

// meter is a horizontal bar of value against limit, with its words as the
// accessible name.
func meter(value, limit int, label string) template.HTML {
	const w, h = 300.0, 14.0
	frac := 0.0
	if limit > 0 {
		frac = min(float64(value)/float64(limit), 1)
	}
	name := fmt.Sprintf("%s: %s of %s", label, thousands(value), thousands(limit))
	if limit <= 0 {
		name = fmt.Sprintf("%s: %s (no limit set)", label, thousands(value))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="meter" viewBox="0 0 %g %g" preserveAspectRatio="none" role="img" aria-label="%s"><title>%s</title>`,
		w, h, html.EscapeString(name), html.EscapeString(name))
	fmt.Fprintf(&b, `<rect class="meter-track" x="0" y="0" width="%g" height="%g" rx="7"/>`, w, h)
	if frac > 0 {
		fmt.Fprintf(&b, `<rect class="meter-fill %s" x="0" y="0" width="%.1f" height="%g" rx="7"/>`, level(value, limit), max(frac*w, h), h)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// histogram draws pending invitations by age bucket as one image; the
// page lists the buckets as links beside it (links inside an image would
// be hidden from assistive technology).
func histogram(buckets []stats.Bucket) template.HTML {
	const w, h, top, bottom = 320.0, 170.0, 22.0, 30.0
	peak := 0
	for _, b := range buckets {
		peak = max(peak, b.Count)
	}
	n := float64(max(len(buckets), 1))
	slot := w / n
	bar := slot * 0.66
	var words []string
	for _, b := range buckets {
		words = append(words, fmt.Sprintf("%s days: %s", b.Label, thousands(b.Count)))
	}
	name := "Pending invitations by age. " + strings.Join(words, "; ")
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="histogram" viewBox="0 0 %g %g" role="img" aria-label="%s"><title>%s</title>`,
		w, h, html.EscapeString(name), html.EscapeString(name))
	fmt.Fprintf(&s, `<line class="axis" x1="0" y1="%g" x2="%g" y2="%g"/>`, h-bottom, w, h-bottom)
	for i, b := range buckets {
		x := float64(i)*slot + (slot-bar)/2
		bh := 0.0
		if peak > 0 {
			bh = (h - top - bottom) * float64(b.Count) / float64(peak)
		}
		y := h - bottom - bh
		fmt.Fprintf(&s, `<rect class="bar b%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3"/>`, min(i, 4), x, y, bar, max(bh, 1))
		fmt.Fprintf(&s, `<text class="count" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+bar/2, y-6, thousands(b.Count))
		fmt.Fprintf(&s, `<text class="label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+bar/2, h-bottom+18, html.EscapeString(b.Label))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// ageLink is the invitations page filtered to a bucket's pending ones.
func ageLink(accountID int64, b stats.Bucket) string {
	v := url.Values{"status": {"pending"}, "age": {b.Label}}
	if accountID != 0 {
		v.Set("account", fmt.Sprint(accountID))
	}
	return "/invitations?" + v.Encode()
}
