//! Numbers that may be non-finite, in JSON. `serde_json` writes NaN and ±∞ as `null` and then cannot
//! read `null` back into an `f64`, so one NaN loss or a best accuracy of −∞ (a stage halted before
//! its first epoch ended) made `events.jsonl` unreadable to `resume`, `attach`, `ls` and `compare`.
//! Fields that can be non-finite are written with these modules instead: finite values as JSON
//! numbers, non-finite ones as the strings `"NaN"`, `"inf"`, `"-inf"`. Reading also takes `null`
//! (files written before this change) as NaN.
//!
//! Use as `#[serde(with = "crate::protocol::float")]` on an `f64`, or
//! `#[serde(with = "crate::protocol::float::option")]` on an `Option<f64>` (where `null` keeps
//! meaning `None`).

use serde::{Deserialize, Deserializer, Serializer};

/// The JSON text of a non-finite value, or `None` for a finite one.
fn word(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("inf")
    } else if v == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

/// What a field may hold in a file: a number, one of the words, or `null`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Repr {
    Number(f64),
    Word(String),
}

fn from_repr<E: serde::de::Error>(r: Repr) -> Result<f64, E> {
    match r {
        Repr::Number(v) => Ok(v),
        Repr::Word(w) => match w.as_str() {
            "NaN" | "nan" => Ok(f64::NAN),
            "inf" | "Infinity" | "+inf" => Ok(f64::INFINITY),
            "-inf" | "-Infinity" => Ok(f64::NEG_INFINITY),
            other => Err(E::custom(format!(
                "expected a number, \"NaN\", \"inf\" or \"-inf\", found \"{other}\""
            ))),
        },
    }
}

/// Serialize an `f64` (see the module).
pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    match word(*v) {
        Some(w) => s.serialize_str(w),
        None => s.serialize_f64(*v),
    }
}

/// Deserialize an `f64` (see the module); `null` reads as NaN.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match Option::<Repr>::deserialize(d)? {
        None => Ok(f64::NAN),
        Some(r) => from_repr(r),
    }
}

/// The same for `Option<f64>`: `None` is `null`, a non-finite `Some` is a word.
pub mod option {
    use super::*;

    /// Serialize an `Option<f64>` (see the parent module).
    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(v) => super::serialize(v, s),
        }
    }

    /// Deserialize an `Option<f64>` (see the parent module).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<Repr>::deserialize(d)?.map(from_repr).transpose()
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    struct Row {
        #[serde(with = "super")]
        x: f64,
        #[serde(with = "super::option", default)]
        y: Option<f64>,
    }

    fn round_trip(x: f64, y: Option<f64>) -> Row {
        let text = serde_json::to_string(&Row { x, y }).unwrap();
        assert!(!text.contains("null") || y.is_none(), "{text}");
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn every_value_reads_back_as_written() {
        assert_eq!(round_trip(1.5, Some(-2.25)).x, 1.5);
        assert!(round_trip(f64::NAN, None).x.is_nan());
        assert_eq!(round_trip(f64::NEG_INFINITY, None).x, f64::NEG_INFINITY);
        assert_eq!(round_trip(f64::INFINITY, None).x, f64::INFINITY);
        assert!(round_trip(0.0, Some(f64::NAN)).y.unwrap().is_nan());
        assert_eq!(round_trip(0.0, None).y, None);
    }

    #[test]
    fn non_finite_values_are_written_as_words() {
        let text = serde_json::to_string(&Row {
            x: f64::NEG_INFINITY,
            y: Some(f64::NAN),
        })
        .unwrap();
        assert_eq!(text, r#"{"x":"-inf","y":"NaN"}"#);
    }

    #[test]
    fn null_from_older_files_reads_as_nan_and_a_bad_word_is_an_error() {
        let row: Row = serde_json::from_str(r#"{"x":null}"#).unwrap();
        assert!(row.x.is_nan());
        let err = serde_json::from_str::<Row>(r#"{"x":"lots"}"#).unwrap_err();
        assert!(
            err.to_string().contains("did not match any variant")
                || err.to_string().contains("lots"),
            "{err}"
        );
    }
}
