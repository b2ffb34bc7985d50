//! What a name and a free text may be: the one definition every command
//! checks its text arguments against before anything is written.

use super::Error;

/// The longest name (an item, an extension id, a signer).
pub const NAME_MAX: usize = 200;
/// The longest free text (a title, a note, a reason).
pub const TEXT_MAX: usize = 10_000;

/// A name: trimmed, 1 to [`NAME_MAX`] characters on one line, without
/// control characters.
pub fn name(what: &'static str, value: &str) -> Result<String, Error> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > NAME_MAX || v.chars().any(char::is_control) {
        return Err(Error::invalid(
            what,
            value,
            format!("a name of 1 to {NAME_MAX} characters on one line, without control characters"),
        ));
    }
    Ok(v.to_string())
}

/// A free text: trimmed, 1 to [`TEXT_MAX`] characters; lines and tabs are
/// kept, other control characters refused.
pub fn text(what: &'static str, value: &str) -> Result<String, Error> {
    let v = value.trim();
    let control = v.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    if v.is_empty() || v.chars().count() > TEXT_MAX || control {
        return Err(Error::invalid(
            what,
            value,
            format!("some text of 1 to {TEXT_MAX} characters, without control characters"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_line_and_bounded() {
        assert_eq!(name("item", "  api.old ").unwrap(), "api.old");
        assert!(name("item", "").is_err());
        assert!(name("item", "a\nb").is_err());
        assert!(name("item", "a\u{7}b").is_err());
        assert!(name("item", &"x".repeat(NAME_MAX + 1)).is_err());
        assert!(name("item", "ü ✓").is_ok());
    }

    #[test]
    fn texts_keep_lines_and_refuse_other_control_characters() {
        assert_eq!(text("title", "a\nb\tc").unwrap(), "a\nb\tc");
        assert!(text("title", "a\u{0}b").is_err());
        assert!(text("title", "   ").is_err());
        assert!(text("title", &"x".repeat(TEXT_MAX + 1)).is_err());
        assert_eq!(optional_text("note", Some("  ")).unwrap(), None);
        assert!(optional_name("by", Some("a\nb")).is_err());
    }
}
