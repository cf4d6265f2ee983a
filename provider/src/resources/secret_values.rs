//! A `clusternet_secret`'s values: the sensitive `secret_data` (text) and
//! `secret_binary_data` (base64) maps, merged into the Secret's `data`, and taken out of a
//! Secret read from the hub again so that no value lands in the non-sensitive `manifest`.

use std::collections::BTreeMap;

use base64::Engine as _;
use clusternet_tfplugin::Diagnostic;
use serde_json::Value as Json;

use crate::diagnostics::ToDiagnostic;

fn engine() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// What is wrong with one entry of the maps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A `secret_binary_data` value that is not base64.
    #[error("the value of {key:?} is not base64")]
    NotBase64 {
        /// The key.
        key: String,
    },
    /// The same key in both maps.
    #[error("{key:?} is in both secret_data and secret_binary_data")]
    Both {
        /// The key.
        key: String,
    },
}

impl ToDiagnostic for ValueError {
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            "Invalid Secret value",
            format!(
                "{self}. Put text in secret_data and base64-encoded binary values (e.g. from \
                 filebase64()) in secret_binary_data."
            ),
        )
    }
}

impl ValueError {
    /// The key the error is about.
    pub fn key(&self) -> &str {
        match self {
            ValueError::NotBase64 { key } | ValueError::Both { key } => key,
        }
    }
}

/// Checks the two maps before they are merged.
pub fn check(
    text: &BTreeMap<String, String>,
    binary: &BTreeMap<String, String>,
) -> Result<(), ValueError> {
    for (key, value) in binary {
        if text.contains_key(key) {
            return Err(ValueError::Both { key: key.clone() });
        }
        if engine().decode(value).is_err() {
            return Err(ValueError::NotBase64 { key: key.clone() });
        }
    }
    Ok(())
}

/// Puts the values into the Secret's `data`: text base64-encoded, binary as given.
pub fn merge(
    object: &mut Json,
    text: &BTreeMap<String, String>,
    binary: &BTreeMap<String, String>,
) {
    if text.is_empty() && binary.is_empty() {
        return;
    }
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let data = map
        .entry("data")
        .or_insert_with(|| Json::Object(Default::default()));
    if !data.is_object() {
        *data = Json::Object(Default::default());
    }
    let data = data.as_object_mut().expect("just made an object");
    for (key, value) in text {
        data.insert(key.clone(), Json::String(engine().encode(value)));
    }
    for (key, value) in binary {
        data.insert(key.clone(), Json::String(value.clone()));
    }
}

/// The keys a Secret's manifest itself gives values for (`data` and `stringData`): those
/// values are in the non-sensitive `manifest` and show in plans.
pub fn inline_keys(object: &Json) -> Vec<String> {
    ["data", "stringData"]
        .iter()
        .filter_map(|field| object.get(*field).and_then(Json::as_object))
        .flat_map(|map| map.keys().cloned())
        .collect()
}

/// Takes every `data` value out of a Secret: those that decode to UTF-8 text, decoded, and
/// the others (binary) as base64.
pub fn take(object: &mut Json) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut text = BTreeMap::new();
    let mut binary = BTreeMap::new();
    let Some(data) = object.as_object_mut().and_then(|map| map.remove("data")) else {
        return (text, binary);
    };
    for (key, value) in data.as_object().into_iter().flatten() {
        let Some(encoded) = value.as_str() else {
            continue;
        };
        match engine()
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        {
            Some(decoded) => {
                text.insert(key.clone(), decoded);
            }
            None => {
                binary.insert(key.clone(), encoded.to_string());
            }
        }
    }
    (text, binary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn merged_values_are_taken_back_the_same() {
        let text = map(&[("password", "s3cret")]);
        let binary = map(&[("keystore", "/w==")]);
        let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}});
        merge(&mut secret, &text, &binary);
        assert_eq!(
            secret["data"],
            json!({"password": "czNjcmV0", "keystore": "/w=="})
        );
        assert_eq!(take(&mut secret), (text, binary));
        assert!(secret.get("data").is_none());
    }

    #[test]
    fn bad_binary_values_and_doubled_keys_name_their_key() {
        let text = map(&[("a", "x")]);
        let error = check(&text, &map(&[("b", "not base64!")])).unwrap_err();
        assert_eq!(error.key(), "b");
        let error = check(&text, &map(&[("a", "/w==")])).unwrap_err();
        assert_eq!(error, ValueError::Both { key: "a".into() });
    }

    #[test]
    fn values_written_in_the_manifest_are_found() {
        let secret = json!({"data": {"a": "eA=="}, "stringData": {"b": "y"}});
        assert_eq!(inline_keys(&secret), ["a", "b"]);
    }
}
