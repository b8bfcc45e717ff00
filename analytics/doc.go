// Package analytics learns from an account's own history what is worth
// keeping: acceptance rates by group with Wilson intervals, time to
// acceptance estimated with censoring (Kaplan–Meier, and cumulative
// incidence with "gone" as a competing outcome), the chance that a
// still-pending invitation will ever be accepted, weekly sending against
// LinkedIn's limit, and the pending trend. It reads the store through
// unvite.Store, one pass over the rows, and draws its charts as SVG on the
// server (see Report.ChartSVG), so the CLI, the web dashboard and a
// shareable HTML file show the same pictures.
package analytics
