//! `ledger report`: one self-contained HTML page. Inline CSS and SVG only,
//! no script and no external asset (its Content-Security-Policy forbids
//! both); every recorded text is escaped. It reads on a narrow screen
//! (tables scroll, charts scale) and in dark mode.

use std::fmt::Write as _;

use crate::domain::{
    Time, fmt_num,
    overview::{Charts, Series, Timeline},
    readiness::Readiness,
    time,
};

use super::{Block, Table, Tone, View};

/// Everything the page shows.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub project: &'a str,
    pub as_of: Time,
    /// The dashboard, as `ledger status` shows it.
    pub dashboard: &'a View,
    pub charts: &'a Charts,
    pub timeline: &'a Timeline,
    /// The incidents open or active in the window, with their SLAs.
    pub incidents: &'a View,
    pub readiness: &'a [Readiness],
}

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root{--bg:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;
--bad:#cf222e;--warn:#9a6700;--good:#1a7f37;--series:#0969da;--window:rgba(9,105,218,.08);--shift:#8250df}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;
--panel:#151b23;--bad:#ff7b72;--warn:#d29922;--good:#3fb950;--series:#4493f8;--window:rgba(68,147,248,.12);--shift:#ab7df8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
p,.muted{margin:.3rem 0}.muted{color:var(--muted)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:.9rem}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:var(--panel)}
.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}.good{color:var(--good)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,30rem),1fr));gap:1rem}
figure{margin:0;padding:.5rem;background:var(--panel);border:1px solid var(--line);border-radius:6px}
figcaption{font-weight:600}
svg{width:100%;height:auto;display:block}
svg text{fill:var(--muted);font-size:11px}
.axis{stroke:var(--line)}
.line{fill:none;stroke:var(--series);stroke-width:1.5}
.sample{fill:var(--series)}
.threshold{stroke:var(--bad);stroke-dasharray:5 4}
.window{fill:var(--window)}
.shift{stroke:var(--shift);stroke-width:1.5}.shift.accepted{stroke-dasharray:3 3}
.release{stroke:var(--muted)}
.span{fill:var(--series);opacity:.55}.span.overdue,.span.premature{fill:var(--bad)}.span.removed{fill:var(--good)}
.release{stroke-opacity:.6}
.removal{fill:var(--good);stroke:var(--bg)}.opportunity{fill:var(--warn);stroke:var(--bg)}
"#;

/// The whole page.
pub fn page(p: &Page<'_>) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"color-scheme\" content=\"light dark\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<title>ledger report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(p.project)
    );
    let _ = writeln!(
        h,
        "<header><h1>ledger report: {}</h1><p class=\"muted\">as of {}</p></header>",
        esc(p.project),
        esc(&time::format(p.as_of))
    );

    h.push_str("<section id=\"dashboard\">\n<h2>Dashboard</h2>\n");
    blocks(&mut h, &p.dashboard.blocks);
    h.push_str("</section>\n");

    charts(&mut h, p.charts);
    timeline(&mut h, p.timeline);

    h.push_str("<section id=\"incidents\">\n<h2>Incidents</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"muted\">Open, or opened or resolved in the last {} days, with the time each SLA falls due.</p>",
        p.charts.days
    );
    blocks(&mut h, &p.incidents.blocks);
    h.push_str("</section>\n");

    readiness(&mut h, p.readiness);
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// A view's blocks: headings, lines and tables.
fn blocks(h: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Heading(t) => {
                let _ = writeln!(h, "<h3>{}</h3>", esc(t));
            }
            Block::Line(t) => {
                let _ = writeln!(h, "<p>{}</p>", esc(t));
            }
            Block::Table(t) if t.rows.is_empty() => h.push_str("<p class=\"muted\">none</p>\n"),
            Block::Table(t) => table(h, t),
        }
    }
}

fn table(h: &mut String, t: &Table) {
    h.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for c in &t.columns {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for cell in row {
            let class = tone_class(cell.trim())
                .map(|c| format!(" class=\"{c}\""))
                .unwrap_or_default();
            let _ = write!(h, "<td{class}>{}</td>", esc(cell).replace('\n', "<br>"));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
}

/// The CSS class of a status word's tone.
fn tone_class(word: &str) -> Option<&'static str> {
    Tone::of(word).map(|t| match t {
        Tone::Bad => "bad",
        Tone::Warn => "warn",
        Tone::Good => "good",
    })
}

/// A linear map from `[a, b]` onto `[x, y]`.
fn scale(v: f64, a: f64, b: f64, x: f64, y: f64) -> f64 {
    if b > a {
        x + (v - a) / (b - a) * (y - x)
    } else {
        (x + y) / 2.0
    }
}

fn secs(t: Time) -> f64 {
    t.timestamp() as f64
}

/// The most deprecations the timeline draws (most urgent first).
const TIMELINE_ROWS: usize = 150;

/// The most release labels on the timeline's axis.
const RELEASE_LABELS: usize = 30;

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 26.0;

fn charts(h: &mut String, c: &Charts) {
    let _ = writeln!(
        h,
        "<section id=\"budgets\">\n<h2>Budgets over the last {} days</h2>\n\
<p class=\"muted\">Each point is one measurement. The dashed red line is the threshold; the shaded band is the drift window ({} days); purple lines are shifts the change-point detector found (dashed when accepted).</p>\n<div class=\"charts\">",
        c.days, c.drift_days
    );
    for s in &c.series {
        chart(h, c, s);
    }
    h.push_str("</div>\n</section>\n");
}

/// One budget's chart: its samples over the window, the threshold, the
/// drift window and the shifts found in it.
fn chart(h: &mut String, c: &Charts, s: &Series) {
    let status = s.drift.status.as_str();
    let tone = tone_class(status).unwrap_or("muted");
    let _ = writeln!(
        h,
        "<figure><figcaption>{} <span class=\"{tone}\">{}</span></figcaption>\n<p class=\"muted\">{} · {} · {} {} {}</p>",
        esc(&s.budget),
        esc(status),
        esc(&s.title),
        crate::domain::text::count(s.points.len(), "sample"),
        esc(s.direction.as_str()),
        fmt_num(s.threshold),
        esc(&s.unit)
    );
    let (x0, x1) = (secs(c.from), secs(c.to));
    let values = s.points.iter().map(|p| p.1).chain([s.threshold]);
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if hi <= lo {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.08;
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |t: Time| scale(secs(t), x0, x1, LEFT, W - RIGHT);
    let y = |v: f64| scale(v, lo, hi, H - BOTTOM, TOP);
    let _ = writeln!(
        h,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" data-budget=\"{}\" data-samples=\"{}\" aria-label=\"{} over {} days\">",
        esc(&s.budget),
        s.points.len(),
        esc(&s.budget),
        c.days
    );
    frame(h, c, &x, &y, (lo + pad, hi - pad));
    marks(h, s, &x, &y);
    h.push_str("</svg>\n</figure>\n");
}

/// A chart's drift window, axes, value labels and dates.
fn frame(
    h: &mut String,
    c: &Charts,
    x: &dyn Fn(Time) -> f64,
    y: &dyn Fn(f64) -> f64,
    (lo, hi): (f64, f64),
) {
    let wx = x(c.drift_from);
    let _ = writeln!(
        h,
        "<rect class=\"window\" x=\"{wx:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\"><title>drift window: the last {} days</title></rect>",
        (W - RIGHT - wx).max(0.0),
        H - BOTTOM - TOP,
        c.drift_days
    );
    let _ = writeln!(
        h,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/><line class=\"axis\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\"/>",
        b = H - BOTTOM,
        r = W - RIGHT
    );
    for v in [lo, hi] {
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 4.0,
            y(v) + 4.0,
            fmt_num(v)
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"{LEFT}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        H - 8.0,
        time::date(c.from),
        W - RIGHT,
        H - 8.0,
        time::date(c.to)
    );
}

/// A budget's threshold, shifts and samples on its chart.
fn marks(h: &mut String, s: &Series, x: &dyn Fn(Time) -> f64, y: &dyn Fn(f64) -> f64) {
    let ty = y(s.threshold);
    let _ = writeln!(
        h,
        "<line class=\"threshold\" x1=\"{LEFT}\" y1=\"{ty:.1}\" x2=\"{:.1}\" y2=\"{ty:.1}\"><title>threshold {} {}</title></line>",
        W - RIGHT,
        fmt_num(s.threshold),
        esc(&s.unit)
    );
    for shift in &s.drift.shifts {
        let sx = x(shift.at);
        let _ = writeln!(
            h,
            "<line class=\"shift{}\" x1=\"{sx:.1}\" y1=\"{TOP}\" x2=\"{sx:.1}\" y2=\"{:.1}\"><title>shift {}{}</title></line>",
            if shift.accepted { " accepted" } else { "" },
            H - BOTTOM,
            esc(&shift.describe()),
            if shift.accepted { ", accepted" } else { "" }
        );
    }
    if !s.points.is_empty() {
        let path: Vec<String> = s
            .points
            .iter()
            .map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v)))
            .collect();
        let _ = writeln!(
            h,
            "<polyline class=\"line\" points=\"{}\"/>",
            path.join(" ")
        );
    }
    for (t, v) in &s.points {
        let _ = writeln!(
            h,
            "<circle class=\"sample\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\"><title>{}: {} {}</title></circle>",
            x(*t),
            y(*v),
            time::format(*t),
            fmt_num(*v),
            esc(&s.unit)
        );
    }
}

/// Releases as ticks on a time axis, and each deprecation as a bar from
/// when it was deprecated to its first removal opportunity (to today,
/// fainter, while that has not shipped), its removal a dot.
fn timeline(h: &mut String, t: &Timeline) {
    h.push_str("<section id=\"timeline\">\n<h2>Releases and deprecations</h2>\n");
    h.push_str("<p class=\"muted\">Each bar runs from the release that deprecated an item to its removal, or to today while it stays: red when removed too early or overdue, blue while its window runs, green when removed on time. The yellow dot is its first removal opportunity; the green one, its removal. Premature removals come first, then overdue, active and recently removed items.</p>\n");
    let shown = &t.spans[..t.spans.len().min(TIMELINE_ROWS)];
    left_out(h, t, shown.len());
    const LABEL: f64 = 170.0;
    const ROW: f64 = 20.0;
    let width = 800.0;
    let height = 46.0 + ROW * shown.len() as f64;
    let (a, b) = (secs(t.from), secs(t.to));
    let x = |when: Time| scale(secs(when), a, b, LABEL, width - 10.0);
    let _ = writeln!(
        h,
        "<div class=\"scroll\"><svg class=\"timeline\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"releases and deprecation windows\" style=\"min-width:36rem\">"
    );
    release_ticks(h, t, &x, height);
    for (i, s) in shown.iter().enumerate() {
        span(h, s, 36.0 + ROW * i as f64, &x, t.to);
    }
    h.push_str("</svg></div>\n");
    span_table(h, shown);
    h.push_str("</section>\n");
}

/// What the timeline leaves out, said above it.
fn left_out(h: &mut String, t: &Timeline, shown: usize) {
    let mut left_out = Vec::new();
    if t.spans.len() > shown {
        left_out.push(format!(
            "{} more deprecations not drawn",
            t.spans.len() - shown
        ));
    }
    if t.removed_earlier > 0 {
        left_out.push(format!(
            "{} removed before the window left out",
            t.removed_earlier
        ));
    }
    if !left_out.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{}; <code>ledger deprecations</code> lists every one.</p>",
            left_out.join("; ")
        );
    }
}

/// Every release a tick on the timeline's axis; one in every few
/// labelled, with a guide line down the chart.
fn release_ticks(h: &mut String, t: &Timeline, x: &dyn Fn(Time) -> f64, height: f64) {
    // One label in every `step` releases, so dense releases stay legible.
    let step = t.releases.len().div_ceil(RELEASE_LABELS).max(1);
    for (i, r) in t.releases.iter().enumerate() {
        let rx = x(r.at);
        let labelled = i % step == 0;
        let _ = write!(
            h,
            "<line class=\"release\" x1=\"{rx:.1}\" y1=\"28\" x2=\"{rx:.1}\" y2=\"{:.1}\"><title>{} shipped {}</title></line>",
            if labelled { height - 4.0 } else { 34.0 },
            esc(&r.version),
            time::date(r.at),
        );
        if labelled {
            let _ = write!(
                h,
                "<text x=\"{rx:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                if (i / step).is_multiple_of(2) { 12 } else { 25 },
                esc(&r.version)
            );
        }
        h.push('\n');
    }
}

/// One deprecation's bar at `top`, with its first removal opportunity and
/// its removal.
fn span(
    h: &mut String,
    s: &crate::domain::overview::Span,
    top: f64,
    x: &dyn Fn(Time) -> f64,
    today: Time,
) {
    let _ = writeln!(
        h,
        "<text x=\"0\" y=\"{:.1}\">{}</text>",
        top + 12.0,
        esc(&truncate(&s.item, 26))
    );
    let start = x(s.from);
    let end = x(s.removed_at.unwrap_or(today));
    let _ = writeln!(
        h,
        "<rect class=\"span {}\" x=\"{start:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"12\" rx=\"3\"><title>{} ({}) deprecated in {}, window {} minor line(s); first removal {}; {}</title></rect>",
        s.status.as_str(),
        (end - start).max(2.0),
        esc(&s.item),
        s.kind,
        esc(&s.deprecated_in),
        s.window.map_or("no".into(), |w| w.to_string()),
        esc(s.first_removal.as_deref().unwrap_or("not known yet")),
        s.status.as_str()
    );
    if let Some(at) = s.first_removal_at {
        let _ = writeln!(
            h,
            "<circle class=\"opportunity\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>first removal opportunity: {}</title></circle>",
            x(at),
            top + 6.0,
            esc(s.first_removal.as_deref().unwrap_or_default())
        );
    }
    if let Some(at) = s.removed_at {
        let _ = writeln!(
            h,
            "<circle class=\"removal\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>removed in {}</title></circle>",
            x(at),
            top + 6.0,
            esc(s.removed_in.as_deref().unwrap_or_default())
        );
    }
}

/// The drawn deprecations as a table under the timeline.
fn span_table(h: &mut String, shown: &[crate::domain::overview::Span]) {
    let rows = shown
        .iter()
        .map(|s| {
            vec![
                s.item.clone(),
                s.kind.to_string(),
                s.deprecated_in.clone(),
                s.window.map_or("-".into(), |w| w.to_string()),
                match (&s.first_removal, s.first_removal_at) {
                    (Some(v), Some(at)) => format!("{v} ({})", time::date(at)),
                    (Some(v), None) => format!("{v} (not shipped)"),
                    _ => "-".into(),
                },
                s.removed_in.clone().unwrap_or_else(|| "-".into()),
                s.status.as_str().to_string(),
            ]
        })
        .collect();
    table(
        h,
        &Table {
            columns: [
                "item",
                "kind",
                "deprecated in",
                "window",
                "first removal",
                "removed in",
                "status",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
    );
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(chars - 1).collect();
    format!("{cut}…")
}

fn readiness(h: &mut String, milestones: &[Readiness]) {
    h.push_str("<section id=\"readiness\">\n<h2>Readiness</h2>\n");
    if milestones.is_empty() {
        h.push_str("<p class=\"muted\">No milestone to judge.</p>\n");
    }
    for r in milestones {
        let verdict = match (r.ready, r.shipped_before_ready) {
            (_, Some(true)) => "<span class=\"bad\">shipped before it was ready</span>",
            (true, _) => "<span class=\"good\">ready</span>",
            (false, _) => "<span class=\"warn\">not ready</span>",
        };
        let _ = writeln!(
            h,
            "<h3>Milestone {}: {} · {verdict}</h3>",
            esc(&r.milestone),
            esc(&r.title)
        );
        let rows = r
            .criteria
            .iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    if c.met { "met" } else { "unmet" }.to_string(),
                    c.evidence.join("\n"),
                    c.blockers.join("\n"),
                    c.waived.as_ref().map(|w| w.describe()).unwrap_or_default(),
                ]
            })
            .collect();
        table(
            h,
            &Table {
                columns: ["criterion", "met", "evidence", "blockers", "waiver"]
                    .map(String::from)
                    .to_vec(),
                rows,
            },
        );
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_text_is_escaped() {
        assert_eq!(
            esc("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn a_table_cell_is_escaped_and_toned() {
        let mut h = String::new();
        table(
            &mut h,
            &Table {
                columns: vec!["title".into(), "state".into()],
                rows: vec![vec![
                    "<img src=x onerror=alert(1)>".into(),
                    "overdue".into(),
                ]],
            },
        );
        assert!(
            h.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"),
            "{h}"
        );
        assert!(h.contains("<td class=\"bad\">overdue</td>"), "{h}");
        assert!(!h.contains("<img"));
    }

    #[test]
    fn a_scale_maps_its_ends_and_a_flat_range_to_the_middle() {
        assert_eq!(scale(5.0, 0.0, 10.0, 100.0, 200.0), 150.0);
        assert_eq!(scale(0.0, 0.0, 10.0, 100.0, 200.0), 100.0);
        assert_eq!(scale(3.0, 3.0, 3.0, 100.0, 200.0), 150.0);
    }
}
