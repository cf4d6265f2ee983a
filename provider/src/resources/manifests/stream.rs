//! A multi-document YAML (or JSON) stream cut into its objects, each with the document it came
//! from, so that an error can name the document a reader has to fix.

use std::collections::BTreeMap;
use std::fmt;

use clusternet_model::identity::ObjectIdentity;
use clusternet_model::yaml::YamlError;
use serde_json::Value as Json;

use crate::resources::feed::{self, NoIdentity};

/// Where an object sits in the stream: its document (1-based) and the line the document starts
/// on, and its item when the document is a `List`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The document, counted from 1 as `---` separates them (empty documents count).
    pub document: usize,
    /// The line (1-based) the document starts on: the first, or the one after its `---`.
    pub line: usize,
    /// The item (1-based) of a `List` document.
    pub item: Option<usize>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {} (line {})", self.document, self.line)?;
        if let Some(item) = self.item {
            write!(f, ", item {item}")?;
        }
        Ok(())
    }
}

/// One object of the stream.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The object.
    pub object: Json,
    /// Its identity.
    pub identity: ObjectIdentity,
}

/// Why one document (or one item of a `List`) is not a feed object.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Neither YAML nor JSON.
    #[error("{0}")]
    NotYaml(#[from] YamlError),
    /// A document that is not a mapping.
    #[error("it is not an object")]
    NotAnObject,
    /// A `List` whose `items` is not a list.
    #[error("it is a {kind} without an `items` list")]
    ListWithoutItems {
        /// The list's kind.
        kind: String,
    },
    /// An object without apiVersion, kind or metadata.name.
    #[error(transparent)]
    Incomplete(#[from] NoIdentity),
    /// A name Kubernetes rejects.
    #[error("{0}")]
    InvalidName(String),
    /// A v1 Secret (docs/adr/0006: Secrets are their own feed resource).
    #[error("it is a Secret")]
    Secret,
}

/// A bad document and where it is; `identity` when the object had one.
#[derive(Debug)]
pub struct BadDocument {
    /// Where.
    pub place: Place,
    /// The object's identity, when it was readable.
    pub identity: Option<ObjectIdentity>,
    /// What is wrong.
    pub error: DocumentError,
}

/// The same object twice in the stream.
#[derive(Debug)]
pub struct Duplicate {
    /// The object.
    pub identity: ObjectIdentity,
    /// Where it came first.
    pub first: Place,
    /// Where it came again.
    pub again: Place,
}

/// The stream read: its objects in order, and every bad document and duplicate.
#[derive(Debug, Default)]
pub struct Stream {
    /// The good objects, in document order (a `List`'s items in their order).
    pub entries: Vec<Entry>,
    /// Documents that are not feed objects.
    pub bad: Vec<BadDocument>,
    /// Objects given twice (same group, kind, namespace and name).
    pub duplicates: Vec<Duplicate>,
}

/// One document parsed: its objects with their place (none for an empty or comment-only
/// document, the items of a `List`), or where it is and why it is not YAML, not an object, or
/// a `List` without items.
pub type ParsedDocument = Result<Vec<(Place, Json)>, (Place, DocumentError)>;

/// The documents of `text` parsed, in order. Nothing is checked beyond what
/// [`ParsedDocument`] says (`read` checks feeds; the `manifest_decode_multi` function only
/// decodes).
pub fn parsed_documents(text: &str) -> Vec<ParsedDocument> {
    documents(text)
        .into_iter()
        .enumerate()
        .map(|(index, (line, document))| {
            let place = Place {
                document: index + 1,
                line,
                item: None,
            };
            objects_of(document, place).map_err(|error| (place, error))
        })
        .collect()
}

/// Reads `text`: every document, empty and comment-only ones skipped, `List` kinds expanded
/// into their items as kubectl does.
pub fn read(text: &str) -> Stream {
    let mut stream = Stream::default();
    let mut seen: BTreeMap<(String, String, String, String), Place> = BTreeMap::new();
    for document in parsed_documents(text) {
        let objects = match document {
            Ok(objects) => objects,
            Err((place, error)) => {
                stream.bad.push(BadDocument {
                    place,
                    identity: None,
                    error,
                });
                continue;
            }
        };
        for (place, object) in objects {
            match checked(&object) {
                Ok(identity) => {
                    let key = (
                        identity.group().to_string(),
                        identity.kind.clone(),
                        identity.namespace_or_empty().to_string(),
                        identity.name.clone(),
                    );
                    if let Some(first) = seen.get(&key) {
                        stream.duplicates.push(Duplicate {
                            identity,
                            first: *first,
                            again: place,
                        });
                        continue;
                    }
                    seen.insert(key, place);
                    stream.entries.push(Entry { object, identity });
                }
                Err(error) => stream.bad.push(BadDocument {
                    place,
                    identity: feed::identity_of(&object).ok(),
                    error,
                }),
            }
        }
    }
    stream
}

/// The objects of one document: none for an empty or comment-only one, the items of a `List`.
fn objects_of(document: &str, place: Place) -> Result<Vec<(Place, Json)>, DocumentError> {
    let value = clusternet_model::yaml::yaml_to_json(document)?;
    let Json::Object(map) = &value else {
        return match value {
            Json::Null => Ok(Vec::new()),
            _ => Err(DocumentError::NotAnObject),
        };
    };
    let kind = map.get("kind").and_then(Json::as_str).unwrap_or_default();
    // kubectl expands every `*List` kind that carries `items` (v1 List, ConfigMapList...).
    if !kind.ends_with("List") || !map.contains_key("items") {
        return Ok(vec![(place, value)]);
    }
    let Some(items) = map.get("items").and_then(Json::as_array) else {
        return Err(DocumentError::ListWithoutItems {
            kind: kind.to_string(),
        });
    };
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let place = Place {
                item: Some(i + 1),
                ..place
            };
            (place, item.clone())
        })
        .collect())
}

/// The identity of a feed object, checked as clusternet_manifest checks it.
fn checked(object: &Json) -> Result<ObjectIdentity, DocumentError> {
    if !object.is_object() {
        return Err(DocumentError::NotAnObject);
    }
    let identity = feed::identity_of(object)?;
    feed::check_names(&identity).map_err(DocumentError::InvalidName)?;
    if identity.is_secret() {
        return Err(DocumentError::Secret);
    }
    Ok(identity)
}

/// The documents of `text` with the line each starts on: cut at every line that starts with
/// `---` (the YAML document marker, possibly followed by a comment or content) or `...` (the
/// document end marker; what follows it up to the next `---` is a document of its own, as in
/// YAML, and an empty one is skipped).
fn documents(text: &str) -> Vec<(usize, &str)> {
    let mut documents = Vec::new();
    let (mut start, mut start_line) = (0, 1);
    let mut offset = 0;
    let mut first = true;
    // After `...`, the `---` that opens the next document closes nothing.
    let mut after_end = false;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let is_marker = (line.starts_with("---") || line.starts_with("..."))
            && line[3..].chars().next().is_none_or(char::is_whitespace);
        if is_marker {
            let pending_empty = text[start..offset].trim().is_empty();
            // A marker on the first content line opens the first document rather than
            // closing an empty one.
            if !((first || after_end) && pending_empty) {
                documents.push((start_line, &text[start..offset]));
            }
            after_end = line.starts_with("...");
            start = offset + 3;
            // The document starts on the line after its marker.
            start_line = index + 2;
        }
        if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            first = false;
        }
        offset += line.len();
    }
    if !text[start..].trim().is_empty() || documents.is_empty() {
        documents.push((start_line, &text[start..]));
    }
    documents
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(stream: &Stream) -> Vec<String> {
        stream.entries.iter().map(|e| e.identity.key()).collect()
    }

    #[test]
    fn the_document_end_marker_ends_a_document() {
        let text = "kind: A\n...\n---\nkind: B\n...\n";
        let documents = documents(text);
        assert_eq!(documents.len(), 2, "{documents:?}");
        assert_eq!(documents[0], (1, "kind: A\n"));
        assert_eq!(documents[1].0, 4);
        assert_eq!(documents[1].1.trim(), "kind: B");
    }

    #[test]
    fn documents_count_from_one_with_the_line_they_start_on() {
        let text = "---\nkind: A\n---\n# only a comment\n---\nkind: B\n";
        let documents = documents(text);
        assert_eq!(documents.len(), 3);
        assert_eq!(documents[0].0, 2);
        assert_eq!(documents[1].0, 4);
        assert_eq!(documents[2].0, 6);
    }

    #[test]
    fn empty_and_comment_only_documents_are_skipped() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n\n---\n# nothing\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: x}\n";
        let stream = read(text);
        assert!(stream.bad.is_empty(), "{:?}", stream.bad);
        assert_eq!(keys(&stream), ["v1/ConfigMap/x/a", "v1/ConfigMap/x/b"]);
    }

    #[test]
    fn a_list_is_expanded_into_its_items() {
        let text = r#"{"apiVersion":"v1","kind":"List","items":[
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"x"}},
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"x"}}]}"#;
        let stream = read(text);
        assert_eq!(keys(&stream), ["v1/ConfigMap/x/a", "v1/ConfigMap/x/b"]);
        let broken = text.replace(r#""name":"b","#, "");
        let bad = &read(&broken).bad[0];
        assert_eq!(bad.place.to_string(), "document 1 (line 1), item 2");
    }

    #[test]
    fn the_same_object_in_another_version_of_its_group_is_a_duplicate() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x}\n---\napiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: web, namespace: x}\n";
        let stream = read(text);
        assert_eq!(stream.entries.len(), 1);
        let duplicate = &stream.duplicates[0];
        assert_eq!(duplicate.first.document, 1);
        assert_eq!(duplicate.again.document, 2);
        assert_eq!(duplicate.again.line, 5);
    }

    #[test]
    fn bad_documents_keep_their_place_and_the_good_ones_stay() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\nkey: [unclosed\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: x}\n";
        let stream = read(text);
        assert_eq!(stream.entries.len(), 1);
        let bad: Vec<(usize, usize)> = stream
            .bad
            .iter()
            .map(|b| (b.place.document, b.place.line))
            .collect();
        assert_eq!(bad, [(2, 5), (3, 7), (4, 11)]);
        assert!(matches!(stream.bad[1].error, DocumentError::Secret));
        assert!(matches!(stream.bad[2].error, DocumentError::InvalidName(_)));
    }
}
