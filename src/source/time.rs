//! Commit dates as text, in the commit's own time zone: never the local clock or zone,
//! so that the same revision stamps the same bytes on any machine (SPEC §5).

/// `YYYY-MM-DD HH:MM:SS +ZZZZ` for a git time.
pub(super) fn format(time: git2::Time) -> String {
    let offset = i64::from(time.offset_minutes());
    let local = time.seconds() + offset * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        offset.abs() / 60,
        offset.abs() % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_the_commits_own_zone() {
        // 2025-12-22 10:00:00 UTC, written from UTC+2.
        let t = git2::Time::new(1_766_397_600, 120);
        assert_eq!(format(t), "2025-12-22 12:00:00 +0200");
        assert_eq!(
            format(git2::Time::new(0, -300)),
            "1969-12-31 19:00:00 -0500"
        );
    }
}
