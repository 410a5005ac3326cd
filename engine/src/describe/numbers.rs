//! Numbers and times for people: the one clock, the one parameter count, the one hex encoding.
//! Every front end and the report use these, so the same value reads the same everywhere.

use std::time::Duration;

/// `mm:ss`, or `h:mm:ss` from one hour on; negative and non-finite times read `00:00`.
pub fn clock(seconds: f64) -> String {
    let total = if seconds.is_finite() && seconds > 0.0 {
        seconds.round() as u64
    } else {
        0
    };
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// [`clock`] of a duration.
pub fn clock_of(duration: Duration) -> String {
    clock(duration.as_secs_f64())
}

/// Parameter (or MAC) counts the way papers write them: `532`, `25.4k`, `1.2M`, `3.1G`.
pub fn params(count: u64) -> String {
    let n = count as f64;
    if count < 1_000 {
        count.to_string()
    } else if count < 1_000_000 {
        format!("{:.1}k", n / 1e3)
    } else if count < 1_000_000_000 {
        format!("{:.1}M", n / 1e6)
    } else {
        format!("{:.1}G", n / 1e9)
    }
}

/// An integer with thousands separators: `7,812`.
pub fn thousands(value: f64) -> String {
    let digits = if value.is_finite() && value > 0.0 {
        (value.round() as u64).to_string()
    } else {
        "0".to_string()
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Accuracy in percent with one decimal: `86.1%`.
pub fn pct(value: f64) -> String {
    format!("{value:.1}%")
}

/// Lower-case hex of `bytes`, two digits each: checksums and cache keys.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_switches_to_hours() {
        assert_eq!(clock(0.0), "00:00");
        assert_eq!(clock(133.4), "02:13");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(clock(f64::NAN), "00:00");
        assert_eq!(clock(-5.0), "00:00");
    }

    #[test]
    fn params_use_k_and_m() {
        assert_eq!(params(532), "532");
        assert_eq!(params(25_418), "25.4k");
        assert_eq!(params(1_199_882), "1.2M");
        assert_eq!(params(3_100_000_000), "3.1G");
    }

    #[test]
    fn thousands_separates_groups() {
        assert_eq!(thousands(7812.4), "7,812");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }

    #[test]
    fn hex_pads_every_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab]), "000fab");
        assert_eq!(hex(&[]), "");
    }
}
