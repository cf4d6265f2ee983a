//! The markers that stand in for Secret values in `descriptions` (ADR 0008).
//!
//! A marker is a keyed hash (HMAC-SHA256) of the value under the subscription's own random
//! key, kept in state in the sensitive `secret_marker_key`: the same value gives the same
//! marker in every plan of that state (so a changed value shows as a diff of its entry), and
//! without the key nothing about the value can be checked (a word list is no use). The key
//! is made where none exists yet - at the apply that first deploys a Secret value, or at
//! import - so a plan that needs one plans it unknown, and the entries that hold Secret values
//! with it.

use std::collections::BTreeMap;

use clusternet_model::preview::Previewed;
use clusternet_tfplugin::Value;
use hmac::{Hmac, Mac};
use serde_json::Value as Json;

use crate::attrs::{self, Field};

/// The attribute that holds the key.
pub const KEY_ATTRIBUTE: &str = "secret_marker_key";

/// The marker where no key is at hand (the `clusternet_render` data source, and drift read
/// for a state written before keys existed): it says a value is there and nothing else.
pub const UNKEYED: &str = "(sensitive value)";

/// How Secret values are shown.
#[derive(Clone)]
pub enum SecretMarkers {
    /// Keyed hashes under this key.
    Keyed(String),
    /// [`UNKEYED`] for every value.
    Unkeyed,
}

impl SecretMarkers {
    /// The markers of `state`'s key, or unkeyed ones when it holds none.
    pub fn of_state(state: &Value) -> SecretMarkers {
        match attrs::string(state, KEY_ATTRIBUTE) {
            Field::Known(key) => SecretMarkers::Keyed(key),
            _ => SecretMarkers::Unkeyed,
        }
    }

    /// The stand-in for `value`.
    pub fn marker(&self, value: &str) -> String {
        match self {
            SecretMarkers::Keyed(key) => {
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
                    .expect("HMAC takes keys of any length");
                mac.update(value.as_bytes());
                let digest = mac.finalize().into_bytes();
                let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
                format!("(sensitive value, hmac-sha256:{hex})")
            }
            SecretMarkers::Unkeyed => UNKEYED.to_string(),
        }
    }
}

/// A new random key: 32 bytes from the operating system, hex-encoded.
pub fn new_key() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| format!("the operating system gave no random bytes: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether the preview entry of the object key `object` (the key after `<cluster>/`) with
/// text `text` shows Secret values (a v1 Secret, plain or templated from a chart, with `data`
/// or `stringData` entries): those are the entries whose text depends on the marker key.
pub fn holds_secret_values(object: &str, text: &str) -> bool {
    let identity = match object.parse::<Previewed>() {
        Ok(Previewed::Object(identity) | Previewed::Templated { identity, .. }) => identity,
        _ => return false,
    };
    if !identity.is_secret() {
        return false;
    }
    let Ok(object) = serde_json::from_str::<Json>(text) else {
        return false;
    };
    ["data", "stringData"].iter().any(|field| {
        object
            .get(*field)
            .and_then(Json::as_object)
            .is_some_and(|values| !values.is_empty())
    })
}

/// Whether any entry of the per-cluster preview `descriptions` shows Secret values.
pub fn any_secret_values(descriptions: &BTreeMap<String, String>) -> bool {
    descriptions.iter().any(|(key, text)| {
        key.split_once('/')
            .is_some_and(|(_, object)| holds_secret_values(object, text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_markers_are_stable_per_key_and_differ_between_keys() {
        let a = SecretMarkers::Keyed(new_key().unwrap());
        let b = SecretMarkers::Keyed(new_key().unwrap());
        assert_eq!(a.marker("Summer2024!"), a.marker("Summer2024!"));
        assert_ne!(a.marker("Summer2024!"), a.marker("Summer2025!"));
        assert_ne!(a.marker("Summer2024!"), b.marker("Summer2024!"));
        assert!(!a.marker("Summer2024!").contains("Summer"));
        assert_eq!(SecretMarkers::Unkeyed.marker("Summer2024!"), UNKEYED);
    }

    #[test]
    fn the_marker_is_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let marker = SecretMarkers::Keyed("Jefe".into()).marker("what do ya want for nothing?");
        assert_eq!(marker, "(sensitive value, hmac-sha256:5bdcc146bf60754e)");
    }

    #[test]
    fn keys_are_64_hex_digits_and_random() {
        let key = new_key().unwrap();
        assert_eq!(key.len(), 64);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(key, new_key().unwrap());
    }

    #[test]
    fn only_secrets_with_values_hold_secret_values() {
        let secret = r#"{"apiVersion":"v1","data":{"p":"x"},"kind":"Secret"}"#;
        let empty = r#"{"apiVersion":"v1","kind":"Secret","type":"Opaque"}"#;
        let map = r#"{"apiVersion":"v1","data":{"p":"x"},"kind":"ConfigMap"}"#;
        assert!(holds_secret_values("v1/Secret/shop/db", secret));
        assert!(holds_secret_values("helm/r/v1/Secret/shop/db", secret));
        assert!(!holds_secret_values("v1/Secret/shop/db", empty));
        assert!(!holds_secret_values("v1/ConfigMap/shop/db", map));
        assert!(!holds_secret_values("helm/default/redis", secret));
    }
}
