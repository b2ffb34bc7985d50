//! Layer: bottom (see `domain::LAYERS`).
//!
//! What a name and a free text may be: the one definition every command
//! checks its text arguments against before anything is written.

use super::Error;

/// The longest name (an item, an extension id, a signer).
pub const NAME_MAX: usize = 200;
/// The longest free text (a title, a note, a reason).
pub const TEXT_MAX: usize = 10_000;

/// Whether a line would be read as a command by a CI runner that reads
/// its job's output: GitHub Actions' `::error::…` workflow commands, Azure
/// Pipelines' `##vso[…]` and `##[…]` logging commands.
pub fn runner_command(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("::") || line.starts_with("##vso[") || line.starts_with("##[")
}

/// A value as an error may show it: its first 80 characters on one line.
fn shown(value: &str) -> String {
    let mut s: String = value
        .chars()
        .take(80)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if value.chars().nth(80).is_some() {
        s.push('…');
    }
    s
}

/// A name: trimmed, 1 to [`NAME_MAX`] characters on one line, without
/// control characters, and not a CI runner's command ([`runner_command`]).
pub fn name(what: &'static str, value: &str) -> Result<String, Error> {
    let v = value.trim();
    if v.is_empty()
        || v.chars().count() > NAME_MAX
        || v.chars().any(char::is_control)
        || runner_command(v)
    {
        return Err(Error::invalid(
            what,
            shown(value),
            format!(
                "a name of 1 to {NAME_MAX} characters on one line, without control characters, not starting with `::` or `##` (which CI runners read as commands)"
            ),
        ));
    }
    Ok(v.to_string())
}

/// A free text: trimmed, 1 to [`TEXT_MAX`] characters; lines and tabs are
/// kept, other control characters refused, and no line may be a CI
/// runner's command ([`runner_command`]).
pub fn text(what: &'static str, value: &str) -> Result<String, Error> {
    let v = value.trim();
    let control = v.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    if v.is_empty() || v.chars().count() > TEXT_MAX || control || v.lines().any(runner_command) {
        return Err(Error::invalid(
            what,
            shown(value),
            format!(
                "some text of 1 to {TEXT_MAX} characters, without control characters and with no line starting with `::` or `##` (which CI runners read as commands)"
            ),
        ));
    }
    Ok(v.to_string())
}

/// An optional free text: absent or blank is none; otherwise as [`text`].
pub fn optional_text(what: &'static str, value: Option<&str>) -> Result<Option<String>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(what, v).map(Some),
    }
}

/// An optional name: absent or blank is none; otherwise as [`name`].
pub fn optional_name(what: &'static str, value: Option<&str>) -> Result<Option<String>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => name(what, v).map(Some),
    }
}

/// `path` as a URI path: its unreserved characters and `/` as they are,
/// every other byte percent-encoded (RFC 3986).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `n` and a noun that takes an "s" in the plural: "1 sample", "2 samples".
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_path_encodes_all_but_the_unreserved() {
        assert_eq!(uri_path("ci/ledger policy.toml"), "ci/ledger%20policy.toml");
        assert_eq!(uri_path("a%b/é"), "a%25b/%C3%A9");
    }

    #[test]
    fn one_sample_two_samples() {
        assert_eq!(count(1, "sample"), "1 sample");
        assert_eq!(count(0, "sample"), "0 samples");
        assert_eq!(count(2, "shift"), "2 shifts");
    }

    #[test]
    fn names_are_one_line_and_bounded() {
        assert_eq!(name("item", "  api.old ").unwrap(), "api.old");
        assert!(name("item", "").is_err());
        assert!(name("item", "a\nb").is_err());
        assert!(name("item", "a\u{7}b").is_err());
        assert!(name("item", &"x".repeat(NAME_MAX + 1)).is_err());
        assert!(name("item", "ü ✓").is_ok());
        assert!(name("item", "::error::owned").is_err());
        assert!(name("item", "##vso[task.setvariable variable=x]1").is_err());
        assert!(name("item", "a::b").is_ok());
        let long = name("item", &"y".repeat(1_000_000))
            .unwrap_err()
            .to_string();
        assert!(
            long.len() < 400,
            "the error shows a bounded value: {}",
            long.len()
        );
    }

    #[test]
    fn texts_keep_lines_and_refuse_other_control_characters() {
        assert_eq!(text("title", "a\nb\tc").unwrap(), "a\nb\tc");
        assert!(text("title", "a\u{0}b").is_err());
        assert!(text("title", "   ").is_err());
        assert!(text("title", &"x".repeat(TEXT_MAX + 1)).is_err());
        assert!(text("title", "fine\n  ::error file=x::owned").is_err());
        assert!(text("title", "a :: b").is_ok());
        assert_eq!(optional_text("note", Some("  ")).unwrap(), None);
        assert!(optional_name("by", Some("a\nb")).is_err());
    }
}
