//! Deterministic names and UIDs.
//!
//! Upstream generates `<subscription>-<5 random chars>` names and server UIDs. The model
//! derives them from a hash of the object's identity instead, so that the same input
//! renders byte-for-byte the same output (and a name does not change when unrelated
//! input changes). The alphabet is the one of Kubernetes' `util/rand`.

/// Kubernetes `util/rand` alphabet (no vowels, no confusable characters).
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-1a, 32 bits.
pub fn fnv1a_32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= b as u32;
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// FNV-1a, 64 bits.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn hash_parts(salt: &str, parts: &[&str]) -> u64 {
    let mut text = String::from(salt);
    for part in parts {
        text.push('\u{0}');
        text.push_str(part);
    }
    fnv1a_64(text.as_bytes())
}

/// A five-character suffix derived from `parts`, in the `util/rand` alphabet.
pub fn suffix(parts: &[&str]) -> String {
    let mut h = hash_parts("suffix", parts);
    let mut out = String::with_capacity(5);
    for _ in 0..5 {
        out.push(ALPHABET[(h % ALPHABET.len() as u64) as usize] as char);
        h /= ALPHABET.len() as u64;
    }
    out
}

/// A UUID-shaped identifier derived from `parts` (stands in for a server-assigned UID).
pub fn uid(parts: &[&str]) -> String {
    let a = hash_parts("uid-a", parts);
    let b = hash_parts("uid-b", parts);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// `<plural>.<namespace>.<name>` or `<plural>.<name>`: the Manifest storing a shadow object.
pub fn manifest_name(plural: &str, namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        format!("{plural}.{name}")
    } else {
        format!("{plural}.{namespace}.{name}")
    }
}

/// Kubernetes' `UnsafeGuessKindToResource`: the plural resource name of a kind.
pub fn plural(kind: &str) -> String {
    let lower = kind.to_lowercase();
    if lower.is_empty() || lower == "endpoints" {
        return lower;
    }
    if let Some(stem) = lower.strip_suffix('y') {
        return format!("{stem}ies");
    }
    if lower.ends_with('s') {
        return format!("{lower}es");
    }
    format!("{lower}s")
}

/// `<base>-generic`.
pub fn generic_description_name(base: &str) -> String {
    format!("{base}-generic")
}

/// `<base>-helm`.
pub fn helm_description_name(base: &str) -> String {
    format!("{base}-helm")
}

/// `<description>-<chart namespace>-<chart name>`: the HelmRelease of one chart.
pub fn helm_release_name(description: &str, chart_namespace: &str, chart_name: &str) -> String {
    format!("{description}-{chart_namespace}-{chart_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec §10.6
    #[test]
    fn manifest_names() {
        assert_eq!(
            manifest_name("deployments", "foo", "my-nginx"),
            "deployments.foo.my-nginx"
        );
        assert_eq!(manifest_name("namespaces", "", "foo"), "namespaces.foo");
        assert_eq!(plural("Deployment"), "deployments");
        assert_eq!(plural("Namespace"), "namespaces");
        assert_eq!(plural("Ingress"), "ingresses");
        assert_eq!(plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(plural("Endpoints"), "endpoints");
    }

    #[test]
    fn description_and_release_names() {
        let base = "app-demo-x7k2p";
        assert_eq!(helm_description_name(base), "app-demo-x7k2p-helm");
        assert_eq!(generic_description_name(base), "app-demo-x7k2p-generic");
        assert_eq!(
            helm_release_name("app-demo-x7k2p-helm", "default", "mysql"),
            "app-demo-x7k2p-helm-default-mysql"
        );
    }

    #[test]
    fn derived_names_are_stable_and_well_formed() {
        let s = suffix(&["default", "app", "clusternet-abcde"]);
        assert_eq!(s.len(), 5);
        assert!(s.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(s, suffix(&["default", "app", "clusternet-abcde"]));
        assert_ne!(s, suffix(&["default", "app", "clusternet-fghij"]));
        assert_eq!(uid(&["x"]).len(), 36);
    }

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a_32(b""), 0x811c9dc5);
        assert_eq!(fnv1a_32(b"a"), 0xe40c292c);
        assert_eq!(fnv1a_64(b"a"), 0xaf63dc4c8601ec8c);
    }
}
