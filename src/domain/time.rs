//! Layer: bottom (see `domain::LAYERS`).
//!
//! Times as the ledger stores and accepts them.
//!
//! Users type RFC 3339 or a plain `YYYY-MM-DD` (midnight UTC); the ledger
//! stores UTC to the second in one fixed-width form, so text order is time
//! order.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::Error;

/// A point in time, always UTC.
pub type Time = DateTime<Utc>;

/// The latest time the ledger holds: the stored form keeps four year
/// digits, so text order stays time order.
pub const LATEST: &str = "9999-12-31T23:59:59Z";

/// Parses RFC 3339 (`2026-02-08T02:11:50Z`, any offset) or `YYYY-MM-DD`,
/// from 1970 to the end of year 9999 (an earlier date is a typo, not a
/// release). This is the one definition of a valid time: every command,
/// importer and read goes through it.
pub fn parse(text: &str) -> Result<Time, Error> {
    let t = parse_any(text)?;
    if t.timestamp() < 0 || format(t).as_str() > LATEST || format(t).len() != LATEST.len() {
        return Err(Error::invalid(
            "time",
            text.trim(),
            "a time from 1970 to the end of 9999",
        ));
    }
    Ok(t)
}

fn parse_any(text: &str) -> Result<Time, Error> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(truncate(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc());
    }
    Err(Error::invalid(
        "time",
        text,
        "RFC 3339 (2026-02-08T02:11:50Z) or a date (2026-02-08)",
    ))
}

/// Reads a time in the stored form (`2026-02-08T02:11:50Z`) directly,
/// digit by digit; any other text goes through [`parse`]. Every row read
/// carries two times, so this is on the path of every question.
pub fn parse_stored(text: &str) -> Result<Time, Error> {
    let b = text.as_bytes();
    let fixed = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let direct = || -> Option<Time> {
        let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
        Some(
            date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?
                .and_utc(),
        )
    };
    match fixed.then(direct).flatten() {
        Some(t) if t.timestamp() >= 0 => Ok(t),
        _ => parse(text),
    }
}

/// The stored form: `2026-02-08T02:11:50Z`.
pub fn format(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The date part, for tables: `2026-02-08`.
pub fn date(t: Time) -> String {
    use chrono::Datelike;
    let d = t.date_naive();
    // Written by hand: a format string is parsed on every call, and tables
    // date thousands of rows. Years beyond four digits keep chrono's form.
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        t.format("%Y-%m-%d").to_string()
    }
}

/// A time as messages word it: the date alone at midnight, the stored
/// form otherwise (`2026-12-31`, `2026-12-31T12:00:00Z`).
pub fn format_short(t: Time) -> String {
    if t == truncate_to_day(t) {
        date(t)
    } else {
        format(t)
    }
}

/// A duration as messages word it, in its largest whole unit: `45
/// seconds`, `12 minutes`, `3 hours`, `400 days`.
pub fn span(d: chrono::Duration) -> String {
    let s = d.num_seconds().unsigned_abs();
    let (n, unit) = match s {
        0..120 => (s, "second"),
        120..7_200 => (s / 60, "minute"),
        7_200..172_800 => (s / 3_600, "hour"),
        _ => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Midnight (UTC) of the day `t` falls on.
pub fn truncate_to_day(t: Time) -> Time {
    t.date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(t, |d| d.and_utc())
}

/// Drops sub-second precision, so stored and parsed times compare equal.
pub fn truncate(t: Time) -> Time {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// `days` days before `t`; the earliest representable time if that is
/// before it, so a long window never overflows.
pub fn days_before(t: Time, days: u32) -> Time {
    t.checked_sub_signed(chrono::Duration::days(i64::from(days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `days` days after `t`; the latest representable time if that is
/// after it, so no duration from a stored policy can overflow.
pub fn days_after(t: Time, days: u32) -> Time {
    t.checked_add_signed(chrono::Duration::days(i64::from(days)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `hours` hours after `t`, saturating as [`days_after`] does.
pub fn hours_after(t: Time, hours: u32) -> Time {
    t.checked_add_signed(chrono::Duration::hours(i64::from(hours)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Hours from `from` to `to`, to one decimal.
pub fn hours_between(from: Time, to: Time) -> f64 {
    ((to - from).num_seconds() as f64 / 360.0).round() / 10.0
}

/// Why a write's time is refused (the time-skew rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skew {
    /// The entry would take effect after now: it claims what has not
    /// happened.
    Future,
    /// The clock stamping it runs ahead of the machine's real clock by
    /// this much, more than allowed: an entry recorded in the future would
    /// refuse every honest write after it.
    ClockAhead(chrono::Duration),
}

/// When a new entry takes effect: at `at` when given, else `now`; never
/// after `now`.
pub fn effective(at: Option<Time>, now: Time) -> Result<Time, Skew> {
    match at {
        Some(t) if t > now => Err(Skew::Future),
        Some(t) => Ok(t),
        None => Ok(now),
    }
}

/// Whether a writer's clock `now` may stamp entries: it runs ahead of the
/// machine's `real` clock by at most `allowance` (behind is fine: the
/// journal keeps its order whatever the clock says).
pub fn clock_within(now: Time, real: Time, allowance: chrono::Duration) -> Result<(), Skew> {
    let ahead = now - real;
    if ahead > allowance {
        return Err(Skew::ClockAhead(ahead));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_entry_takes_effect_when_it_happened_never_after_now() {
        let now = parse("2026-03-01T12:00:00Z").unwrap();
        let before = parse("2026-03-01").unwrap();
        assert_eq!(effective(None, now), Ok(now));
        assert_eq!(effective(Some(before), now), Ok(before));
        assert_eq!(
            effective(Some(now), now),
            Ok(now),
            "now itself has happened"
        );
        let later = now + chrono::Duration::seconds(1);
        assert_eq!(effective(Some(later), now), Err(Skew::Future));
    }

    #[test]
    fn a_clock_may_run_ahead_only_within_its_allowance() {
        let real = parse("2026-03-01T12:00:00Z").unwrap();
        let allowance = chrono::Duration::seconds(300);
        assert_eq!(clock_within(real, real, allowance), Ok(()));
        assert_eq!(clock_within(real + allowance, real, allowance), Ok(()));
        let behind = real - chrono::Duration::days(3);
        assert_eq!(
            clock_within(behind, real, allowance),
            Ok(()),
            "behind is fine"
        );
        let ahead = real + chrono::Duration::seconds(301);
        assert_eq!(
            clock_within(ahead, real, allowance),
            Err(Skew::ClockAhead(chrono::Duration::seconds(301)))
        );
    }

    use super::*;

    proptest::proptest! {
        /// The hand-written date is chrono's `%Y-%m-%d`, over every time
        /// the ledger accepts and beyond.
        #[test]
        fn a_date_is_written_as_chrono_writes_it(seconds in -62_000_000_000i64..400_000_000_000) {
            let t = chrono::DateTime::from_timestamp(seconds, 0).expect("in range");
            proptest::prop_assert_eq!(date(t), t.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn accepts_rfc3339_and_plain_dates() {
        assert_eq!(format(parse("2026-02-08").unwrap()), "2026-02-08T00:00:00Z");
        assert_eq!(
            format(parse("2026-02-08T04:05:29+02:00").unwrap()),
            "2026-02-08T02:05:29Z"
        );
        assert_eq!(
            format(parse("2026-02-08T02:11:50.551273351+00:00").unwrap()),
            "2026-02-08T02:11:50Z"
        );
    }

    #[test]
    fn rejects_other_forms_naming_the_value() {
        let err = parse("08/02/2026").unwrap_err();
        assert!(err.to_string().contains("\"08/02/2026\""), "{err}");
        assert!(parse("2026-02-30").is_err());
        assert!(
            parse("0000-01-01")
                .unwrap_err()
                .to_string()
                .contains("from 1970 to the end of 9999")
        );
        assert!(parse("1969-12-31T23:59:59Z").is_err());
        assert!(parse("1970-01-01T00:00:00Z").is_ok());
        assert!(parse("9999-12-31T23:59:59Z").is_ok());
        assert!(
            parse("9999-12-31T23:59:59-01:00").is_err(),
            "year 10000 in UTC"
        );
    }

    #[test]
    fn the_stored_form_reads_as_parse_reads_it() {
        for text in [
            "2026-02-08T02:11:50Z",
            "1970-01-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-02-08T24:00:00Z",
            "1969-12-31T23:59:59Z",
            "2026-02-08",
            "2026-02-08T02:11:50+02:00",
            "20x6-02-08T02:11:50Z",
        ] {
            assert_eq!(
                parse_stored(text).map(format),
                parse(text).map(format),
                "{text}"
            );
        }
    }

    #[test]
    fn durations_saturate_instead_of_overflowing() {
        let t = parse("2026-01-01").unwrap();
        assert_eq!(days_after(t, u32::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(hours_after(t, u32::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(format(hours_after(t, 36)), "2026-01-02T12:00:00Z");
        assert_eq!(days_before(t, u32::MAX), DateTime::<Utc>::MIN_UTC);
        assert_eq!(format(days_after(t, 1)), "2026-01-02T00:00:00Z");
    }

    #[test]
    fn hours_are_rounded_to_a_tenth() {
        let a = parse("2026-01-01T00:00:00Z").unwrap();
        let b = parse("2026-01-02T01:30:00Z").unwrap();
        assert_eq!(hours_between(a, b), 25.5);
    }
}
