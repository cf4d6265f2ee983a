//! The bytes `evanphx/json-patch`'s `Patch.ApplyIndent` writes (root package, v5.7.0, the
//! version Clusternet's go.mod pins), for `FieldJSONPatch` on a JSON field.
//!
//! Upstream decodes only the top level of the document into a map of lazy nodes; a node
//! keeps its original bytes until an operation walks *through* it (`findObject` parses every
//! container on the way to the target) or a `test` compares it (`lazyNode.equal` parses
//! the whole compared subtree). Marshalling writes parsed objects with sorted keys and
//! unparsed nodes as their original bytes, compacted. So untouched nested values keep
//! their key order and number spelling.
//!
//! The patch's *semantics* (which operations succeed, which fail, which paths are missing)
//! are [`json_patch`](super::json_patch)'s; this module only replays the successful
//! operations on a tree that remembers which nodes are still raw.

use std::collections::BTreeMap;

use serde_json::Value;

use super::json_patch::{
    Operation, Outcome, Patch, PatchError, apply_lenient, array_index, decode_key,
};
use crate::json::{go_compact, go_indent, to_compact};

/// A node as `lazyNode` holds it.
#[derive(Debug, Clone)]
enum Node {
    /// Not parsed: the value's original bytes.
    Raw(String),
    /// Parsed object: a Go map, marshalled with sorted keys.
    Object(BTreeMap<String, Node>),
    /// Parsed array.
    Array(Vec<Node>),
    /// A value from the patch (upstream holds the patch's bytes, which are compact and
    /// sorted: the override value went through `yaml.YAMLToJSON`).
    Patched(Value),
}

/// Apply `patch` to the JSON text `original` and print the result as
/// `ApplyIndent(original, indent)` does. A patch dropped for a missing path returns the
/// original text unchanged, as Clusternet's `applyJSONPatch` does.
pub fn apply_indent(original: &str, patch: &Patch, indent: &str) -> Result<String, PatchError> {
    let mut value = crate::json::parse(original)
        .map_err(|e| PatchError::Invalid(format!("the document is not JSON: {e}")))?;
    if value.is_array() && !original.starts_with('[') {
        // ApplyIndent picks the container from the first byte: an array behind leading
        // whitespace is decoded into a map, which fails.
        return Err(PatchError::Invalid(String::from(
            "cannot unmarshal array into Go value of type jsonpatch.partialDoc",
        )));
    }
    if let Outcome::SkippedMissing(_) = apply_lenient(patch, &mut value)? {
        return Ok(original.to_string());
    }
    let mut root = Node::Raw(original.to_string());
    root.expand();
    for operation in &patch.operations {
        match replay(&mut root, operation) {
            Some(Replayed::Done) => {}
            Some(Replayed::TestFailed) => {
                return Err(PatchError::TestFailed(format!(
                    "testing value {} failed",
                    operation.path.as_deref().unwrap_or_default()
                )));
            }
            // Cannot happen for an operation the semantic pass accepted; fall back to the
            // fully sorted rendering rather than guess.
            None => return Ok(crate::json::to_indented(&value, indent)),
        }
    }
    let mut compact = String::with_capacity(original.len());
    root.write(&mut compact);
    Ok(if indent.is_empty() {
        compact
    } else {
        go_indent(&compact, indent)
    })
}

impl Node {
    /// `intoDoc` / `intoAry`: parse one level, children stay raw.
    fn expand(&mut self) {
        let parsed = match self {
            Node::Raw(text) => match split(text) {
                Some(parsed) => parsed,
                None => return,
            },
            Node::Patched(Value::Object(map)) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::Patched(v.clone())))
                    .collect(),
            ),
            Node::Patched(Value::Array(items)) => {
                Node::Array(items.iter().cloned().map(Node::Patched).collect())
            }
            _ => return,
        };
        *self = parsed;
    }

    /// What `lazyNode.equal` leaves behind after a successful `test`: every container in
    /// the subtree parsed.
    fn expand_all(&mut self) {
        self.expand();
        match self {
            Node::Object(map) => map.values_mut().for_each(Node::expand_all),
            Node::Array(items) => items.iter_mut().for_each(Node::expand_all),
            _ => {}
        }
    }

    fn child(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Object(map) => map.get_mut(key),
            Node::Array(items) => array_index(key, items.len()).map(move |i| &mut items[i]),
            _ => None,
        }
    }

    fn add(&mut self, key: &str, node: Node) -> Option<()> {
        match self {
            Node::Object(map) => {
                map.insert(key.to_string(), node);
            }
            Node::Array(items) if key == "-" => items.push(node),
            Node::Array(items) => {
                let idx: i64 = key.parse().ok()?;
                let idx = if idx < 0 {
                    idx + items.len() as i64
                } else {
                    idx
                };
                items.insert(usize::try_from(idx).ok()?, node);
            }
            _ => return None,
        }
        Some(())
    }

    fn remove(&mut self, key: &str) -> Option<Node> {
        match self {
            Node::Object(map) => map.remove(key),
            Node::Array(items) => array_index(key, items.len()).map(|i| items.remove(i)),
            _ => None,
        }
    }

    /// `lazyNode.equal` against a patch value: objects by key, arrays by position, scalars
    /// (and anything compared with a scalar) by compacted bytes.
    fn equals(&self, value: &Value) -> bool {
        match (self, value) {
            (Node::Object(map), Value::Object(other)) => {
                map.len() == other.len()
                    && map
                        .iter()
                        .all(|(k, v)| other.get(k).is_some_and(|w| v.equals(w)))
            }
            (Node::Array(items), Value::Array(other)) => {
                items.len() == other.len() && items.iter().zip(other).all(|(v, w)| v.equals(w))
            }
            (Node::Raw(text), _) => go_compact(text) == to_compact(value),
            (Node::Patched(mine), _) => to_compact(mine) == to_compact(value),
            _ => false,
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Node::Raw(text) => out.push_str(&go_compact(text)),
            Node::Patched(value) => out.push_str(&to_compact(value)),
            Node::Object(map) => {
                out.push('{');
                for (i, (key, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    crate::json::write_string(out, key);
                    out.push(':');
                    item.write(out);
                }
                out.push('}');
            }
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
        }
    }
}

/// `findObject`: parse every container on the way to the parent of `path`'s last segment.
fn locate<'a>(root: &'a mut Node, path: &str) -> Option<(&'a mut Node, String)> {
    let (parents, key) = path.rsplit_once('/')?;
    let mut current = root;
    for part in parents.split('/').skip(1) {
        let next = current.child(&decode_key(part))?;
        next.expand();
        current = next;
    }
    Some((current, decode_key(key).into_owned()))
}

/// What replaying one operation found.
enum Replayed {
    Done,
    /// `lazyNode.equal` compares scalars by their compacted bytes (`1.50` is not `1.5`,
    /// `"\u00e9"` is not `"é"`), stricter than the semantic pass.
    TestFailed,
}

/// Replay one operation that the semantic pass applied successfully.
fn replay(root: &mut Node, op: &Operation) -> Option<Replayed> {
    let patched = || Node::Patched(op.value.clone().unwrap_or(Value::Null));
    let path = op.path.as_deref();
    match op.op.as_str() {
        "add" => {
            let (container, key) = locate(root, path?)?;
            container.add(&key, patched()).map(|()| Replayed::Done)
        }
        "remove" => {
            let (container, key) = locate(root, path?)?;
            container.remove(&key).map(|_| Replayed::Done)
        }
        "replace" if path == Some("") => {
            *root = patched();
            root.expand();
            Some(Replayed::Done)
        }
        "replace" => {
            let (container, key) = locate(root, path?)?;
            *container.child(&key)? = patched();
            Some(Replayed::Done)
        }
        "move" => {
            let (container, key) = locate(root, op.from.as_deref()?)?;
            let moved = container.remove(&key)?;
            let (container, key) = locate(root, path?)?;
            container.add(&key, moved).map(|()| Replayed::Done)
        }
        "copy" => {
            let (container, key) = locate(root, op.from.as_deref()?)?;
            let copied = container.child(&key)?.clone();
            let (container, key) = locate(root, path?)?;
            container.add(&key, copied).map(|()| Replayed::Done)
        }
        "test" => {
            let target = match path? {
                "" => root,
                path => {
                    let (container, key) = locate(root, path)?;
                    container.child(&key)?
                }
            };
            target.expand_all();
            let expected = op.value.as_ref().unwrap_or(&Value::Null);
            if !target.equals(expected) {
                return Some(Replayed::TestFailed);
            }
            Some(Replayed::Done)
        }
        _ => None,
    }
}

/// Split a raw JSON object or array into its members' raw texts (one level).
fn split(text: &str) -> Option<Node> {
    let trimmed = text.trim();
    let object = trimmed.starts_with('{');
    if !object && !trimmed.starts_with('[') {
        return None;
    }
    let bytes = trimmed.as_bytes();
    let mut members = Vec::new();
    let mut pos = 1;
    let skip_ws = |pos: &mut usize| {
        while bytes.get(*pos).is_some_and(|b| b.is_ascii_whitespace()) {
            *pos += 1;
        }
    };
    loop {
        skip_ws(&mut pos);
        match bytes.get(pos)? {
            b'}' | b']' => break,
            b',' => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        let key = if object {
            let end = value_end(bytes, pos)?;
            let key: String = serde_json::from_str(&trimmed[pos..end]).ok()?;
            pos = end;
            skip_ws(&mut pos);
            (bytes.get(pos)? == &b':').then_some(())?;
            pos += 1;
            skip_ws(&mut pos);
            Some(key)
        } else {
            None
        };
        let end = value_end(bytes, pos)?;
        members.push((key, trimmed[pos..end].to_string()));
        pos = end;
    }
    Some(if object {
        Node::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.unwrap_or_default(), Node::Raw(v)))
                .collect(),
        )
    } else {
        Node::Array(members.into_iter().map(|(_, v)| Node::Raw(v)).collect())
    })
}

/// Where the JSON value starting at `start` ends.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut pos = start;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    while let Some(&b) = bytes.get(pos) {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 0 {
                    return Some(pos + 1);
                }
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => return Some(pos),
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(pos + 1);
                    }
                }
                b',' if depth == 0 => return Some(pos),
                b if depth == 0 && b.is_ascii_whitespace() => return Some(pos),
                _ => {}
            }
        }
        pos += 1;
    }
    (depth == 0 && !in_string).then_some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(text: &str) -> Patch {
        Patch::decode(&crate::json::parse(text).unwrap()).unwrap()
    }

    const FIELD: &str = "{\"zeta\": {\"y\": 1.50, \"x\": [3, {\"b\": 1, \"a\": 2}]},\n \"alpha\": {\"k\": \"v\"}, \"mid\": {\"q\": 1, \"p\": 2}}";

    // evanphx/json-patch v5.7.0 patch.go `ApplyIndent`: the top level is a Go map (sorted);
    // `findObject` parses /mid on the way to /mid/r, so /mid's keys are sorted too, while
    // /zeta keeps its order and the spelling 1.50.
    #[test]
    fn only_containers_on_the_path_are_reparsed() {
        let out = apply_indent(
            FIELD,
            &patch(r#"[{"op":"add","path":"/mid/r","value":3}]"#),
            "    ",
        )
        .unwrap();
        assert_eq!(
            out,
            "{\n    \"alpha\": {\n        \"k\": \"v\"\n    },\n    \"mid\": {\n        \"p\": 2,\n        \"q\": 1,\n        \"r\": 3\n    },\n    \"zeta\": {\n        \"y\": 1.50,\n        \"x\": [\n            3,\n            {\n                \"b\": 1,\n                \"a\": 2\n            }\n        ]\n    }\n}"
        );
    }

    // patch.go `lazyNode.equal` (via `test`) parses the whole compared subtree; `copy`'s
    // `deepCopy` marshals the node as it is (raw stays raw).
    #[test]
    fn test_parses_the_compared_subtree_and_copy_keeps_raw_bytes() {
        let p = patch(
            r#"[{"op":"test","path":"/zeta","value":{"x":[3,{"a":2,"b":1}],"y":1.50}},
                {"op":"copy","from":"/mid","path":"/copy"}]"#,
        );
        let out = apply_indent(FIELD, &p, "").unwrap();
        assert_eq!(
            out,
            r#"{"alpha":{"k":"v"},"copy":{"q":1,"p":2},"mid":{"q":1,"p":2},"zeta":{"x":[3,{"a":2,"b":1}],"y":1.50}}"#
        );
    }

    // Clusternet patch.go `applyJSONPatch`: `errors.Is(err, jsonpatch.ErrMissing)` returns
    // `cur`, the original bytes.
    #[test]
    fn a_missing_path_returns_the_original_bytes() {
        let out = apply_indent(
            FIELD,
            &patch(r#"[{"op":"replace","path":"/nope/x","value":1}]"#),
            "    ",
        )
        .unwrap();
        assert_eq!(out, FIELD);
    }

    // patch.go `lazyNode.equal`: scalars compare by compacted bytes, so a `test` for 1.5
    // fails on a field that spells it 1.50 (the semantic pass alone would let it through).
    #[test]
    fn test_compares_scalars_by_their_bytes() {
        assert!(matches!(
            apply_indent(
                FIELD,
                &patch(r#"[{"op":"test","path":"/zeta/y","value":1.5}]"#),
                ""
            ),
            Err(PatchError::TestFailed(_))
        ));
        assert!(
            apply_indent(
                FIELD,
                &patch(r#"[{"op":"test","path":"/zeta/y","value":1.50}]"#),
                ""
            )
            .is_ok()
        );
    }

    #[test]
    fn failures_other_than_missing_paths_are_errors() {
        assert!(matches!(
            apply_indent(
                FIELD,
                &patch(r#"[{"op":"test","path":"/alpha/k","value":"w"}]"#),
                "    "
            ),
            Err(PatchError::TestFailed(_))
        ));
    }
}
