//! Turns domain answers into what users read: tables, JSON, CSV, Markdown.
//!
//! Every answer becomes a [`View`]: the JSON document scripts read, plus
//! blocks (headings, lines, tables) for people. This module is the only
//! user of `tabled`.

pub mod ci;
mod fields;
pub mod html;
pub mod reference;
mod views;

use std::io::{self, Write};

use serde::Serialize;
use tabled::{
    builder::Builder,
    settings::{Style, Width},
};

pub use views::*;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for test-report readers.
    Junit,
    /// A GitHub step summary ($GITHUB_STEP_SUMMARY, else stdout) and
    /// workflow annotations.
    Github,
    /// GitLab's Code Quality report (Code Climate's issue format).
    Codeclimate,
}

impl Format {
    /// SARIF, JUnit, GitHub or Code Quality: formats of what a command
    /// judged.
    pub fn is_ci(self) -> bool {
        matches!(
            self,
            Format::Sarif | Format::Junit | Format::Github | Format::Codeclimate
        )
    }
}

/// A table for people: headers and already formatted cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One piece of a human-readable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Line(String),
    Table(Table),
}

/// What a view is built to hold: only what its format prints. A long
/// list's JSON costs as much to write as its table to lay out, so neither
/// is made for nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants {
    /// The JSON (`--json`, and CSV, which is read from it).
    pub json: bool,
    /// The blocks people read (tables, Markdown, the HTML report).
    pub blocks: bool,
}

impl Wants {
    /// Both, for a view whose format is not known yet.
    pub const ALL: Wants = Wants {
        json: true,
        blocks: true,
    };

    /// The blocks alone (the HTML report's sections).
    pub const BLOCKS: Wants = Wants {
        json: false,
        blocks: true,
    };

    /// What `format` prints of a view. The CI formats print what a command
    /// judged, and a view only as its JSON.
    pub fn of(format: Format) -> Wants {
        match format {
            Format::Table | Format::Markdown => Wants::BLOCKS,
            Format::Json
            | Format::Csv
            | Format::Sarif
            | Format::Junit
            | Format::Github
            | Format::Codeclimate => Wants {
                json: true,
                blocks: false,
            },
        }
    }
}

/// How a view is printed beyond its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// The width tables fit in, when known.
    pub width: Option<usize>,
    /// Print table and CSV headers.
    pub headers: bool,
    /// Colour statuses in tables (a terminal that wants colour).
    pub color: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            width: None,
            headers: true,
            color: false,
        }
    }
}

/// An answer ready to print in any format.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// What `--json` prints, unless `json_text` holds it.
    pub json: serde_json::Value,
    /// A list's JSON, already written out (pretty): a list of thousands of
    /// rows is printed from its rows, never built as JSON values.
    pub json_text: Option<String>,
    /// What `--format csv` prints: the answer's main list, every field.
    pub csv: Table,
    /// What tables and Markdown show.
    pub blocks: Vec<Block>,
    /// Text printed as it is in every format (JSON Lines export).
    pub raw: Option<String>,
}

impl View {
    /// A view of a plain message (and its JSON form).
    pub fn message(json: serde_json::Value, line: impl Into<String>) -> View {
        let line = line.into();
        View {
            csv: Table {
                columns: vec!["message".into()],
                rows: vec![vec![line.clone()]],
            },
            json,
            json_text: None,
            blocks: vec![Block::Line(line)],
            raw: None,
        }
    }

    /// A view printed verbatim whatever the format.
    pub fn raw(text: String) -> View {
        View {
            json: serde_json::Value::Null,
            json_text: None,
            csv: Table::default(),
            blocks: Vec::new(),
            raw: Some(text),
        }
    }

    /// What `--json` prints, as a value.
    pub fn json_value(&self) -> io::Result<std::borrow::Cow<'_, serde_json::Value>> {
        Ok(match &self.json_text {
            Some(text) => std::borrow::Cow::Owned(serde_json::from_str(text)?),
            None => std::borrow::Cow::Borrowed(&self.json),
        })
    }

    /// Adds `"key": true` to the view's JSON when it is an object (a list's
    /// JSON is an array, which has no place for it).
    pub fn flag_json(&mut self, key: &str) {
        match &mut self.json_text {
            Some(text) => {
                let body = text.trim_start();
                if let Some(rest) = body.strip_prefix('{') {
                    let sep = if rest.trim_start().starts_with('}') {
                        ""
                    } else {
                        ","
                    };
                    *text = format!("{{\n  \"{key}\": true{sep}{rest}");
                }
            }
            None => {
                if let serde_json::Value::Object(doc) = &mut self.json {
                    doc.insert(key.to_string(), serde_json::Value::Bool(true));
                }
            }
        }
    }

    /// Prints the view as `options` say.
    pub fn render(
        &self,
        format: Format,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if let Some(raw) = &self.raw {
            return out.write_all(raw.as_bytes());
        }
        match format {
            // The CI formats render what a command judged, not its view
            // (see `ci`); a view alone is its JSON.
            Format::Json | Format::Sarif | Format::Junit | Format::Github | Format::Codeclimate => {
                match &self.json_text {
                    Some(text) => out.write_all(text.as_bytes())?,
                    None => serde_json::to_writer_pretty(&mut *out, &self.json)?,
                }
                writeln!(out)
            }
            Format::Csv if self.csv.columns.is_empty() => {
                write_csv(&csv_of(&*self.json_value()?), options.headers, out)
            }
            Format::Csv => write_csv(&self.csv, options.headers, out),
            Format::Table => {
                let mut first = true;
                for block in &self.blocks {
                    match block {
                        Block::Heading(h) => {
                            if !first {
                                writeln!(out)?;
                            }
                            writeln!(out, "{h}")?;
                        }
                        Block::Line(l) => writeln!(out, "{l}")?,
                        Block::Table(t) if t.rows.is_empty() => writeln!(out, "  (none)")?,
                        Block::Table(t) => writeln!(out, "{}", text_table(t, options))?,
                    }
                    first = false;
                }
                Ok(())
            }
            Format::Markdown => {
                for block in &self.blocks {
                    match block {
                        Block::Heading(h) => writeln!(out, "\n## {h}\n")?,
                        Block::Line(l) => writeln!(out, "{l}\n")?,
                        Block::Table(t) if t.rows.is_empty() => writeln!(out, "_none_\n")?,
                        Block::Table(t) => writeln!(out, "{}\n", markdown_table(t))?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// Cells wider than this wrap at word boundaries, so tables fit a screen.
const CELL_WIDTH: usize = 72;

/// A table for a terminal: long cells wrap at words; with a known `width`
/// the widest columns give way first, by display width, until it fits.
fn text_table(t: &Table, options: &RenderOptions) -> String {
    let text = match options.width {
        None => plain_table(t, options.headers).unwrap_or_else(|| tabled_table(t, options)),
        Some(_) => tabled_table(t, options),
    };
    if options.color {
        paint_lines(&text, options.headers)
    } else {
        text
    }
}

/// A table laid out as `tabled` lays it out (the psql style, or the blank
/// one without headers) when no width limits it, written straight out:
/// for a list of thousands of rows, `tabled`'s grid costs more than the
/// rest of the answer. Printable ASCII only, where a character is one
/// column wide; `None` for anything else, which `tabled` lays out.
fn plain_table(t: &Table, headers: bool) -> Option<String> {
    let count = t.columns.len();
    let printable = |c: &str| c.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b));
    if count == 0
        || t.rows.is_empty()
        || t.rows.iter().any(|r| r.len() != count)
        || !t
            .columns
            .iter()
            .chain(t.rows.iter().flatten())
            .all(|c| printable(c))
    {
        return None;
    }
    // Most rows are one short line a cell, laid out as they are: only a
    // row with a cell to wrap is copied, wrapped.
    let wrapped: Vec<Option<Vec<std::borrow::Cow<'_, str>>>> = t
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .any(|c| c.len() > CELL_WIDTH || c.contains('\n'))
                .then(|| row.iter().map(|c| wrap(c, CELL_WIDTH)).collect())
        })
        .collect();
    let mut widths = vec![0; count];
    if headers {
        widen(&mut widths, &t.columns);
    }
    for (row, wrapped) in t.rows.iter().zip(&wrapped) {
        match wrapped {
            Some(cells) => widen(&mut widths, cells),
            None => widen(&mut widths, row),
        }
    }
    let line_width: usize = widths.iter().map(|w| w + 3).sum();
    let mut out = String::with_capacity((t.rows.len() + 2) * (line_width + 1));
    let separator = if headers { '|' } else { ' ' };
    if headers {
        write_record(&mut out, &t.columns, &widths, separator);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
        out.push('\n');
        out.push_str(&rule.join("+"));
    }
    for (i, (row, wrapped)) in t.rows.iter().zip(&wrapped).enumerate() {
        if headers || i > 0 {
            out.push('\n');
        }
        match wrapped {
            Some(cells) => write_record(&mut out, cells, &widths, separator),
            None => write_record(&mut out, row, &widths, separator),
        }
    }
    Some(out)
}

/// Widens each column to the longest line of its cell in `cells`.
fn widen<S: AsRef<str>>(widths: &mut [usize], cells: &[S]) {
    for (w, cell) in widths.iter_mut().zip(cells) {
        *w = cell.as_ref().split('\n').map(str::len).fold(*w, usize::max);
    }
}

/// Writes one record of a hand-laid table: each cell padded to its
/// column's width, the lines of multi-line cells side by side.
fn write_record<S: AsRef<str>>(out: &mut String, cells: &[S], widths: &[usize], separator: char) {
    let height = cells
        .iter()
        .map(|c| c.as_ref().split('\n').count())
        .max()
        .unwrap_or(1);
    for line in 0..height {
        if line > 0 {
            out.push('\n');
        }
        for (j, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if j > 0 {
                out.push(separator);
            }
            let text = cell.as_ref().split('\n').nth(line).unwrap_or("");
            out.push(' ');
            out.push_str(text);
            pad(out, w - text.len() + 1);
        }
    }
}

/// Appends `n` spaces.
fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// A table laid out by `tabled`: long cells wrap at words; with a known
/// `width` the widest columns give way first, by display width, until it
/// fits.
fn tabled_table(t: &Table, options: &RenderOptions) -> String {
    let mut b = Builder::default();
    if options.headers {
        b.push_record(t.columns.iter().map(String::as_str));
    }
    for row in &t.rows {
        b.push_record(row.iter().map(|c| wrap(c, CELL_WIDTH)));
    }
    let mut table = b.build();
    if options.headers {
        table.with(Style::psql());
    } else {
        table.with(Style::blank());
    }
    if let Some(w) = options.width {
        table.with(
            Width::wrap(w)
                .keep_words(true)
                .priority(tabled::settings::peaker::PriorityMax::right()),
        );
    }
    table.to_string()
}

/// Colours the status cells of a laid-out table: the layout is measured
/// without escape codes, and a cell whose whole text is a status word gets
/// its colour, padding kept.
fn paint_lines(table: &str, headers: bool) -> String {
    let skip = if headers { 2 } else { 0 };
    let mut out = String::with_capacity(table.len() + 64);
    for (i, line) in table.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i < skip {
            out.push_str(line);
            continue;
        }
        // Cells are parted by `|`, or by blanks in a table without headers.
        let parts = if headers { '|' } else { ' ' };
        let cells: Vec<String> = line
            .split(parts)
            .map(|cell| {
                let word = cell.trim();
                match paint(word) {
                    Some(painted) => cell.replacen(word, &painted, 1),
                    None => cell.to_string(),
                }
            })
            .collect();
        out.push_str(&cells.join(&parts.to_string()));
    }
    out
}

/// Wraps each line of `text` at spaces to at most `width` characters
/// (a longer word stays whole); most cells are one short line, borrowed
/// as it is.
pub fn wrap(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= width && !text.contains('\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(current);
    }
    std::borrow::Cow::Owned(out.join("\n"))
}

/// A Markdown table cell: a pipe or a line break inside it would end it,
/// so pipes are escaped and line breaks become `<br>`.
fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

fn markdown_table(t: &Table) -> String {
    let mut b = Builder::default();
    b.push_record(t.columns.iter().map(|c| markdown_cell(c)));
    for row in &t.rows {
        b.push_record(row.iter().map(|c| markdown_cell(c)));
    }
    b.build().with(Style::markdown()).to_string()
}

/// What a status word means at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Breaks policy.
    Bad,
    /// Needs an eye.
    Warn,
    /// Fine.
    Good,
}

impl Tone {
    /// The tone of a status word shown in a cell; `None` for any other text.
    pub fn of(word: &str) -> Option<Tone> {
        Some(match word {
            "overdue" | "premature" | "over-blocking" | "breached" | "blocking" | "unmet"
            | "failing" | "below-required" => Tone::Bad,
            "over" | "drifting" | "warning" | "below-target" | "pending" | "no result" => {
                Tone::Warn
            }
            "ok" | "met" | "removed" | "active" | "kept" | "passing" => Tone::Good,
            _ => return None,
        })
    }
}

/// A status word in the colour of what it means: red for what breaks
/// policy, yellow for what needs an eye, green for what is fine; `None` for
/// any other text.
fn paint(word: &str) -> Option<String> {
    let code = match Tone::of(word)? {
        Tone::Bad => "31",
        Tone::Warn => "33",
        Tone::Good => "32",
    };
    Some(format!("\u{1b}[{code}m{word}\u{1b}[0m"))
}

fn write_csv(t: &Table, headers: bool, out: &mut dyn Write) -> io::Result<()> {
    if t.columns.is_empty() {
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(out);
    if headers {
        w.write_record(&t.columns).map_err(io::Error::other)?;
    }
    for row in &t.rows {
        w.write_record(row).map_err(io::Error::other)?;
    }
    w.flush()
}

/// Formats a JSON value for a table cell.
pub fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => number(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(s) => as_date(s).to_string(),
        serde_json::Value::Array(items) if items.is_empty() => "-".into(),
        serde_json::Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        serde_json::Value::Object(_) => v.to_string(),
    }
}

/// [`cell`] of a value given up: its text is the cell, not a copy.
fn into_cell(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::String(mut s) => {
            s.truncate(as_date(&s).len());
            s
        }
        v => cell(&v),
    }
}

/// How a stored time at midnight ends: a cell shows its date alone.
const MIDNIGHT: &str = "T00:00:00Z";

/// A cell's text with a midnight's time left off (`2026-02-08`).
fn as_date(text: &str) -> &str {
    text.strip_suffix(MIDNIGHT).unwrap_or(text)
}

/// Whether a text is a time in the stored form (`2026-02-08T02:11:50Z`).
fn is_time(text: &str) -> bool {
    text.len() == 20 && text.as_bytes()[10] == b'T' && text.ends_with('Z')
}

/// A number with at most two decimals and no trailing zeros.
pub fn number(f: f64) -> String {
    crate::domain::fmt_num(f)
}

/// Formats a JSON value for a CSV field: raw, arrays joined with `;`.
pub fn csv_field(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(csv_field).collect::<Vec<_>>().join(";")
        }
        other => other.to_string(),
    }
}

/// Serializes a list to JSON objects.
pub fn to_objects<T: Serialize>(rows: &[T]) -> Vec<serde_json::Map<String, serde_json::Value>> {
    rows.iter()
        .filter_map(|r| match serde_json::to_value(r) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            _ => None,
        })
        .collect()
}

/// A list view: JSON is every field of every row, CSV likewise, and the
/// table shows the chosen `(key, header)` columns; each only if `wants`
/// says so.
///
/// The JSON is written straight from the rows, and the table reads only
/// its columns of each row: neither builds a row as a JSON object.
pub fn list<T: Serialize>(
    wants: Wants,
    title: Option<String>,
    rows: &[T],
    columns: &[(&str, &str)],
) -> View {
    let keys: Vec<&str> = columns.iter().map(|(k, _)| *k).collect();
    let json_text = wants.json.then(|| written(rows));
    // Built from the JSON only if CSV is asked for; an empty list still
    // has its header.
    let csv = if rows.is_empty() {
        Table {
            columns: keys.iter().map(|k| k.to_string()).collect(),
            rows: Vec::new(),
        }
    } else {
        Table::default()
    };
    let mut view = View {
        json: serde_json::Value::Null,
        json_text,
        csv,
        blocks: Vec::new(),
        raw: None,
    };
    if !wants.blocks {
        return view;
    }
    let values: Vec<Vec<serde_json::Value>> = rows
        .iter()
        .filter_map(|r| fields::fields(r, &keys))
        .collect();
    // One date style per column: dates where every time in it is a
    // midnight, full times otherwise.
    let full_times: Vec<bool> = (0..keys.len())
        .map(|i| {
            values.iter().any(|row| {
                row[i]
                    .as_str()
                    .is_some_and(|t| is_time(t) && !t.ends_with(MIDNIGHT))
            })
        })
        .collect();
    let table = Table {
        columns: columns.iter().map(|(_, h)| h.to_string()).collect(),
        rows: values
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&full_times)
                    .map(|(v, full)| match v {
                        serde_json::Value::String(t) if *full && is_time(&t) => t,
                        v => into_cell(v),
                    })
                    .collect()
            })
            .collect(),
    };
    if let Some(t) = title {
        view.blocks.push(Block::Heading(t));
    }
    view.blocks.push(Block::Table(table));
    view
}

/// A value's JSON written out as `--json` prints it, for views whose JSON
/// holds long lists: written straight from the value, never built as JSON
/// values first.
pub fn written<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
}

/// A list's JSON (an array of objects) as CSV: every field of every row,
/// in the first row's key order.
fn csv_of(json: &serde_json::Value) -> Table {
    let objects: Vec<&serde_json::Map<String, serde_json::Value>> = json
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_object).collect())
        .unwrap_or_default();
    let columns: Vec<String> = objects
        .first()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let null = serde_json::Value::Null;
    Table {
        rows: objects
            .iter()
            .map(|o| {
                columns
                    .iter()
                    .map(|k| csv_field(o.get(k).unwrap_or(&null)))
                    .collect()
            })
            .collect(),
        columns,
    }
}

/// The most bars a trend line draws.
const SPARK_BARS: usize = 24;

/// A small trend line of a series, oldest to newest: at most 24 bars, each
/// the mean of an even share of the samples (the newest always in the last
/// bar), scaled to the range of the bars.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let n = values.len();
    let buckets = n.min(SPARK_BARS);
    let means: Vec<f64> = (0..buckets)
        .map(|b| {
            let part = &values[b * n / buckets..(b + 1) * n / buckets];
            part.iter().sum::<f64>() / part.len() as f64
        })
        .collect();
    let (lo, hi) = means
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    means
        .iter()
        .map(|v| {
            if (hi - lo).abs() < f64::EPSILON {
                BARS[3]
            } else {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verify that could not check everything never prints a bare "ok":
    /// it says what it could not check, in the table and in JSON.
    #[test]
    fn a_verify_that_could_not_check_everything_says_so() {
        let mut r = crate::domain::integrity::VerifyReport {
            ok: true,
            entries: 3,
            head: "h".into(),
            root: "r".into(),
            problems: Vec::new(),
            unchecked: Vec::new(),
        };
        let text = |r: &crate::domain::integrity::VerifyReport| {
            let mut out = Vec::new();
            views::verify(r)
                .render(
                    Format::Table,
                    &RenderOptions {
                        width: None,
                        headers: true,
                        color: false,
                    },
                    &mut out,
                )
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(text(&r).starts_with("ok: 3 entries"), "{}", text(&r));
        assert!(views::verify(&r).json.get("unchecked").is_none());
        r.unchecked
            .push("the schema and its triggers: a reason".into());
        let shown = text(&r);
        assert!(
            shown.starts_with("ok, except what could not be checked here"),
            "{shown}"
        );
        assert!(
            shown.contains("- not checked: the schema and its triggers: a reason"),
            "{shown}"
        );
        assert_eq!(
            views::verify(&r).json["unchecked"][0],
            "the schema and its triggers: a reason"
        );
    }

    proptest::proptest! {
        /// The hand-laid table is the one `tabled` lays out, line breaks,
        /// long cells and all.
        #[test]
        fn a_plain_table_is_laid_out_as_tabled_lays_it_out(
            columns in proptest::collection::vec("[ -~]{0,12}", 1..5),
            cells in proptest::collection::vec(
                proptest::prop_oneof![
                    "[ -~]{0,10}",
                    "[a-z]{0,9}( [a-z]{1,9}){0,14}",
                    "[ -~]{0,8}\n[ -~]{0,8}(\n)?",
                ],
                1..40,
            ),
            headers in proptest::bool::ANY,
        ) {
            let width = columns.len();
            let rows: Vec<Vec<String>> = cells
                .chunks(width)
                .filter(|c| c.len() == width)
                .map(<[String]>::to_vec)
                .collect();
            proptest::prop_assume!(!rows.is_empty());
            let t = Table { columns, rows };
            let options = RenderOptions { headers, ..RenderOptions::default() };
            proptest::prop_assert_eq!(plain_table(&t, headers), Some(tabled_table(&t, &options)));
        }
    }

    #[test]
    fn a_table_with_text_wider_than_one_column_a_character_is_left_to_tabled() {
        let t = Table {
            columns: vec!["trend".into()],
            rows: vec![vec!["\u{2581}\u{2588}".into()], vec!["\t".into()]],
        };
        assert_eq!(plain_table(&t, true), None);
    }

    #[test]
    fn cells_read_well() {
        assert_eq!(cell(&serde_json::json!(91.9)), "91.9");
        assert_eq!(cell(&serde_json::json!(200.0)), "200");
        assert_eq!(cell(&serde_json::json!(1.0 / 3.0)), "0.33");
        assert_eq!(cell(&serde_json::json!(null)), "-");
        assert_eq!(
            cell(&serde_json::json!("2026-02-08T00:00:00Z")),
            "2026-02-08"
        );
        assert_eq!(cell(&serde_json::json!(["a", "b"])), "a; b");
    }

    #[test]
    fn a_line_break_or_pipe_stays_inside_its_markdown_cell() {
        let t = Table {
            columns: vec!["title".into()],
            rows: vec![vec!["two\nlines | and a pipe".into()]],
        };
        let md = markdown_table(&t);
        assert_eq!(md.lines().count(), 3, "{md}");
        assert!(md.contains("two<br>lines \\| and a pipe"), "{md}");
    }

    #[test]
    fn a_column_keeps_one_date_style() {
        #[derive(serde::Serialize)]
        struct Row {
            at: &'static str,
        }
        let cells = |rows: &[Row]| -> Vec<String> {
            match &list(Wants::ALL, None, rows, &[("at", "at")]).blocks[0] {
                Block::Table(t) => t.rows.iter().map(|r| r[0].clone()).collect(),
                _ => unreachable!(),
            }
        };
        let mixed = [
            Row {
                at: "2026-11-10T00:00:00Z",
            },
            Row {
                at: "2026-11-17T09:00:00Z",
            },
        ];
        assert_eq!(
            cells(&mixed),
            ["2026-11-10T00:00:00Z", "2026-11-17T09:00:00Z"]
        );
        let days = [
            Row {
                at: "2026-11-10T00:00:00Z",
            },
            Row {
                at: "2026-11-17T00:00:00Z",
            },
        ];
        assert_eq!(cells(&days), ["2026-11-10", "2026-11-17"]);
    }

    #[test]
    fn long_cells_wrap_at_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("short", 72), "short");
        assert_eq!(wrap("one\ntwo", 72), "one\ntwo");
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            "averyveryverylongword\nx"
        );
    }

    #[test]
    fn sparkline_spans_the_range() {
        assert_eq!(sparkline(&[1.0, 2.0, 3.0]), "▁▅█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(
            sparkline(&(0..100).map(f64::from).collect::<Vec<_>>())
                .chars()
                .count(),
            24
        );
        // The newest sample always shows: 25 samples of 100, then 199.
        let mut jump = vec![100.0; 25];
        jump.push(199.0);
        let line: Vec<char> = sparkline(&jump).chars().collect();
        assert_eq!(line.len(), 24);
        assert_eq!(*line.last().unwrap(), '█');
        assert!(line[..23].iter().all(|c| *c == '▁'), "{line:?}");
    }
}
