//! Directory targets: a cluster that is a folder of YAML files, one per object, for GitOps
//! tools or for running with no cluster at all.
//!
//! File names are stable: `<group>_<version>_<kind>_<namespace>_<name>.yaml` (`core` for the
//! core group, no namespace part for objects without one). The provider records the files it
//! wrote in an index file in the directory and only ever removes files listed there.

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use clusternet_model::identity::{InvalidObject, ObjectIdentity};

/// The index of files written by the provider, inside the target directory.
pub const INDEX_FILE: &str = ".clusternet-terraform-index.json";

/// Why a directory target could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// A file or directory operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An object is not a Kubernetes object.
    #[error("object #{index}: {source}")]
    Invalid {
        /// Position in the input.
        index: usize,
        /// What is wrong with it.
        #[source]
        source: InvalidObject,
    },
    /// Two objects map to the same file.
    #[error("{first_object} and {second_object} would both be written to {file}", first_object = first.describe_versioned(), second_object = second.describe_versioned())]
    Duplicate {
        /// The file name.
        file: String,
        /// One object.
        first: Box<ObjectIdentity>,
        /// The other.
        second: Box<ObjectIdentity>,
    },
    /// The index file exists but is not ours or is damaged.
    #[error("{path} is not a valid index of written files: {message}")]
    Index {
        /// The index file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A path the provider would write or remove is not a plain name inside the target.
    #[error("{name:?} would be written outside {root}: {reason}")]
    Outside {
        /// The directory the path must stay in.
        root: PathBuf,
        /// The name or path asked for.
        name: String,
        /// Why it is not inside.
        reason: String,
    },
    /// An object could not be rendered as YAML.
    #[error("{object}: cannot render YAML: {message}", object = reference.describe_versioned())]
    Render {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// What the serializer said.
        message: String,
    },
}

/// What [`write_directory`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryReport {
    /// Files whose content changed (created or rewritten).
    pub written: Vec<PathBuf>,
    /// Files already up to date.
    pub unchanged: Vec<PathBuf>,
    /// Stale files (written by a previous apply, no longer desired) that were removed.
    pub removed: Vec<PathBuf>,
}

/// One object's file, as read back.
#[derive(Debug, Clone, PartialEq)]
pub enum FileState {
    /// The file does not exist.
    Missing,
    /// The file parses as this object.
    Present(Value),
    /// The file exists but is not valid YAML (edited by hand).
    Unparsable(String),
}

/// One object's file in a directory target.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryObject {
    /// The object asked for.
    pub reference: ObjectIdentity,
    /// Its file.
    pub path: PathBuf,
    /// What the file holds.
    pub state: FileState,
}

/// The stable file name of an object.
pub fn file_name(reference: &ObjectIdentity) -> String {
    let group = match reference.group() {
        "" => "core",
        g => g,
    };
    let mut parts = vec![
        group.to_string(),
        reference.version().to_string(),
        reference.kind.to_ascii_lowercase(),
    ];
    if let Some(ns) = &reference.namespace {
        parts.push(ns.clone());
    }
    parts.push(reference.name.clone());
    let joined = parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("_");
    format!("{joined}.yaml")
}

/// Whether `name` is a plain name the provider may create in a directory: not empty, not `.`
/// or `..`, no separator or NUL, and not hidden (the index and temporary files are).
fn check_plain_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name == "." || name == ".." {
        return Err(format!("{name:?} names a directory, not an entry"));
    }
    if name.contains(['/', '\\', '\0']) {
        return Err("the name contains a path separator".into());
    }
    if name.starts_with('.') {
        return Err("the name starts with '.'".into());
    }
    Ok(())
}

/// `path` made absolute and free of `.` and `..`, with symbolic links resolved as far as the
/// path exists: where the operating system would really put it.
pub fn resolve(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut lexical = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    // Canonicalise the longest prefix that exists, then add what is still to be created.
    let mut existing = lexical.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return lexical,
        }
    }
}

/// `root/<components...>`, the directory of something inside a directory target: each
/// component a plain name (see [`check_plain_name`]), and the result, with symbolic links
/// followed, still under `root` (so a link inside the target cannot lead out of it either).
pub fn subdirectory(root: &Path, components: &[&str]) -> Result<PathBuf, DirectoryError> {
    let mut dir = root.to_path_buf();
    for component in components {
        check_plain_name(component).map_err(|reason| DirectoryError::Outside {
            root: root.to_path_buf(),
            name: component.to_string(),
            reason,
        })?;
        dir.push(component);
    }
    if !resolve(&dir).starts_with(resolve(root)) {
        return Err(DirectoryError::Outside {
            root: root.to_path_buf(),
            name: components.join("/"),
            reason: "a symbolic link leads out of the directory".into(),
        });
    }
    Ok(dir)
}

/// Writes one file per object into `dir` (created if missing), rewriting only files whose
/// content changed, and removes the files a previous call wrote that are no longer desired.
/// Files the provider did not write are never touched.
pub fn write_directory(dir: &Path, objects: &[Value]) -> Result<DirectoryReport, DirectoryError> {
    let mut planned: Vec<(String, ObjectIdentity, String)> = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        let reference = ObjectIdentity::of(object)
            .map_err(|source| DirectoryError::Invalid { index, source })?;
        let name = file_name(&reference);
        check_plain_name(&name).map_err(|reason| DirectoryError::Outside {
            root: dir.to_path_buf(),
            name: name.clone(),
            reason,
        })?;
        if let Some((_, first, _)) = planned.iter().find(|(n, _, _)| *n == name) {
            return Err(DirectoryError::Duplicate {
                file: name,
                first: Box::new(first.clone()),
                second: Box::new(reference),
            });
        }
        let yaml = to_yaml(object).map_err(|message| DirectoryError::Render {
            reference: Box::new(reference.clone()),
            message,
        })?;
        planned.push((name, reference, yaml));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let previous = read_index(dir)?;

    let mut report = DirectoryReport::default();
    for (name, reference, yaml) in &planned {
        let path = dir.join(name);
        let mode = file_mode(reference);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == *yaml => {
                // A Secret written before files were private becomes private now.
                restrict(&path, mode)?;
                report.unchanged.push(path);
            }
            _ => {
                write_atomically(&path, yaml, mode)?;
                report.written.push(path);
            }
        }
    }
    let current: BTreeSet<String> = planned.into_iter().map(|(n, _, _)| n).collect();
    // Record the new set before removing anything, so an interrupted run never forgets a file.
    let all: BTreeSet<String> = current.union(&previous).cloned().collect();
    write_index(dir, &all)?;
    for stale in previous.difference(&current) {
        let path = dir.join(stale);
        match std::fs::remove_file(&path) {
            Ok(()) => report.removed.push(path),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(source) => return Err(DirectoryError::Io { path, source }),
        }
    }
    write_index(dir, &current)?;
    Ok(report)
}

/// Reads back each object's file in `dir`.
pub fn read_directory(
    dir: &Path,
    references: &[ObjectIdentity],
) -> Result<Vec<DirectoryObject>, DirectoryError> {
    references
        .iter()
        .map(|reference| {
            let path = dir.join(file_name(reference));
            let state = match std::fs::read_to_string(&path) {
                Ok(text) => match from_yaml(&text) {
                    Ok(value) => FileState::Present(value),
                    Err(message) => FileState::Unparsable(message),
                },
                Err(e) if e.kind() == ErrorKind::NotFound => FileState::Missing,
                Err(source) => return Err(DirectoryError::Io { path, source }),
            };
            Ok(DirectoryObject {
                reference: reference.clone(),
                path,
                state,
            })
        })
        .collect()
}

/// [`read_directory`] for files named `name` (as [`file_name`] names an object's file)
/// expected to hold the text `expected` (as [`to_yaml`] writes an object; `None` when nothing
/// is expected): a file whose text is exactly its expected text reads as `None` (as
/// expected) without going through the YAML parser; any other file reads as its state. A
/// directory target is mostly as apply wrote it, so a refresh of thousands of files mostly
/// compares text; the caller names each distinct object's file once for all its clusters.
pub fn read_directory_expecting(
    dir: &Path,
    files: &[(&str, Option<&str>)],
) -> Result<Vec<Option<FileState>>, DirectoryError> {
    // One buffer for every file, read without asking for its size first: a refresh of a
    // fleet reads tens of thousands of small files, and the system calls are most of it.
    let mut buffer = Vec::with_capacity(16 * 1024);
    files
        .iter()
        .map(|&(name, expected)| {
            let path = dir.join(name);
            buffer.clear();
            let read = std::fs::File::open(&path)
                .and_then(|file| file.take(u64::MAX).read_to_end(&mut buffer));
            match read {
                Ok(_) if expected.is_some_and(|e| e.as_bytes() == buffer.as_slice()) => Ok(None),
                Ok(_) => match std::str::from_utf8(&buffer) {
                    Ok(text) => Ok(Some(match from_yaml(text) {
                        Ok(value) => FileState::Present(value),
                        Err(message) => FileState::Unparsable(message),
                    })),
                    // As `read_to_string` reports it.
                    Err(_) => Err(DirectoryError::Io {
                        path,
                        source: std::io::Error::new(
                            ErrorKind::InvalidData,
                            "stream did not contain valid UTF-8",
                        ),
                    }),
                },
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(Some(FileState::Missing)),
                Err(source) => Err(DirectoryError::Io { path, source }),
            }
        })
        .collect()
}

/// Removes every file the provider wrote to `dir`, and its index (destroy). Returns the files
/// removed. Other files and the directory itself stay.
pub fn clear_directory(dir: &Path) -> Result<Vec<PathBuf>, DirectoryError> {
    let written = read_index(dir)?;
    let mut removed = Vec::new();
    for name in &written {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(source) => return Err(DirectoryError::Io { path, source }),
        }
    }
    let index = dir.join(INDEX_FILE);
    match std::fs::remove_file(&index) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(source) => {
            return Err(DirectoryError::Io {
                path: index,
                source,
            });
        }
    }
    Ok(removed)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DirectoryError + '_ {
    move |source| DirectoryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_index(dir: &Path) -> Result<BTreeSet<String>, DirectoryError> {
    let path = dir.join(INDEX_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(source) => return Err(DirectoryError::Io { path, source }),
    };
    let invalid = |message: String| DirectoryError::Index {
        path: path.clone(),
        message,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    let files = value
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("no \"files\" list".into()))?;
    files
        .iter()
        .map(|f| {
            let name = f
                .as_str()
                .ok_or_else(|| invalid("a file name is not a string".into()))?;
            // Only plain names in this directory: a damaged index must not reach elsewhere.
            if name.is_empty() || name.contains('/') || name.contains('\\') || name.starts_with('.')
            {
                return Err(invalid(format!(
                    "{name:?} is not a file name the provider writes"
                )));
            }
            Ok(name.to_string())
        })
        .collect()
}

fn write_index(dir: &Path, files: &BTreeSet<String>) -> Result<(), DirectoryError> {
    let text = serde_json::to_string_pretty(&serde_json::json!({
        "comment": "Files written by terraform-provider-clusternet; it removes only these.",
        "version": 1,
        "files": files,
    }))
    .expect("a JSON value serializes");
    write_atomically(&dir.join(INDEX_FILE), &format!("{text}\n"), FILE_MODE)
}

/// Secret files are readable by their owner only (0600); other files get the usual 0666
/// less the umask.
const SECRET_MODE: u32 = 0o600;
const FILE_MODE: u32 = 0o666;

fn file_mode(reference: &ObjectIdentity) -> u32 {
    if reference.kind == "Secret" && reference.group().is_empty() {
        SECRET_MODE
    } else {
        FILE_MODE
    }
}

fn restrict(path: &Path, mode: u32) -> Result<(), DirectoryError> {
    use std::os::unix::fs::PermissionsExt;
    if mode != SECRET_MODE {
        return Ok(());
    }
    let current = std::fs::metadata(path).map_err(io(path))?.permissions();
    if current.mode() & 0o777 != SECRET_MODE {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(SECRET_MODE))
            .map_err(io(path))?;
    }
    Ok(())
}

fn write_atomically(path: &Path, text: &str, mode: u32) -> Result<(), DirectoryError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp-clusternet");
    // A leftover temporary file (or a link put in its place) is replaced, never followed,
    // and the new file has its mode from the start: a Secret is never readable by others.
    match std::fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(source) => return Err(DirectoryError::Io { path: tmp, source }),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .map_err(io(&tmp))?;
    file.write_all(text.as_bytes()).map_err(io(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// YAML text of a JSON value. Converted by hand: with serde_json's `arbitrary_precision`,
/// numbers do not serialize as numbers through other serializers.
pub fn to_yaml(value: &Value) -> Result<String, String> {
    serde_norway::to_string(&json_to_yaml(value)).map_err(|e| e.to_string())
}

/// A JSON value from YAML text (see [`to_yaml`] for why by hand).
pub fn from_yaml(text: &str) -> Result<Value, String> {
    let yaml: serde_norway::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    yaml_to_json(yaml)
}

fn json_to_yaml(value: &Value) -> serde_norway::Value {
    use serde_norway::Value as Y;
    match value {
        Value::Null => Y::Null,
        Value::Bool(b) => Y::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Y::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Y::Number(u.into())
            } else if let Some(f) = n.as_f64().filter(|f| f.to_string() == n.to_string()) {
                Y::Number(f.into())
            } else {
                // Beyond f64: keep the digits rather than round them.
                Y::String(n.to_string())
            }
        }
        Value::String(s) => Y::String(s.clone()),
        Value::Array(items) => Y::Sequence(items.iter().map(json_to_yaml).collect()),
        Value::Object(map) => Y::Mapping(
            map.iter()
                .map(|(k, v)| (Y::String(k.clone()), json_to_yaml(v)))
                .collect(),
        ),
    }
}

fn yaml_to_json(value: serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("{f} is not a JSON number"))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "null".to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cm(ns: &str, name: &str, value: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": name, "namespace": ns}, "data": {"k": value}})
    }

    #[test]
    fn names_are_stable_and_cluster_scoped_objects_have_no_namespace_part() {
        assert_eq!(
            file_name(&ObjectIdentity::new(
                "apps/v1",
                "Deployment",
                Some("shop"),
                "web"
            )),
            "apps_v1_deployment_shop_web.yaml"
        );
        assert_eq!(
            file_name(&ObjectIdentity::new("v1", "Namespace", None, "shop")),
            "core_v1_namespace_shop.yaml"
        );
        assert_eq!(
            file_name(&ObjectIdentity::new(
                "rbac.authorization.k8s.io/v1",
                "ClusterRole",
                None,
                "system:view"
            )),
            "rbac.authorization.k8s.io_v1_clusterrole_system-view.yaml"
        );
    }

    #[test]
    fn rewrites_only_changes_and_removes_only_its_own_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), "not ours").unwrap();
        let first =
            write_directory(dir.path(), &[cm("a", "one", "1"), cm("a", "two", "2")]).unwrap();
        assert_eq!((first.written.len(), first.removed.len()), (2, 0));

        let second = write_directory(dir.path(), &[cm("a", "one", "1b")]).unwrap();
        assert_eq!(
            second.written,
            [dir.path().join("core_v1_configmap_a_one.yaml")]
        );
        assert_eq!(
            second.removed,
            [dir.path().join("core_v1_configmap_a_two.yaml")]
        );
        assert!(dir.path().join("README.md").exists());

        let third = write_directory(dir.path(), &[cm("a", "one", "1b")]).unwrap();
        assert_eq!((third.written.len(), third.unchanged.len()), (0, 1));

        let removed = clear_directory(dir.path()).unwrap();
        assert_eq!(removed.len(), 1);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["README.md"]);
    }

    /// A directory with three ConfigMaps written, the objects and their identities.
    fn three_written() -> (tempfile::TempDir, [Value; 3], Vec<ObjectIdentity>) {
        let dir = tempfile::tempdir().unwrap();
        let objects = [
            cm("a", "one", "1"),
            cm("a", "two", "2"),
            cm("a", "three", "3"),
        ];
        write_directory(dir.path(), &objects).unwrap();
        let refs = objects
            .iter()
            .map(|o| ObjectIdentity::of(o).unwrap())
            .collect();
        (dir, objects, refs)
    }

    #[test]
    fn reads_back_present_missing_and_edited_files() {
        let (dir, objects, refs) = three_written();
        std::fs::remove_file(dir.path().join(file_name(&refs[1]))).unwrap();
        std::fs::write(dir.path().join(file_name(&refs[2])), "data: [unclosed").unwrap();
        let read = read_directory(dir.path(), &refs).unwrap();
        assert_eq!(read[0].state, FileState::Present(objects[0].clone()));
        assert_eq!(read[1].state, FileState::Missing);
        assert!(matches!(read[2].state, FileState::Unparsable(_)));
    }

    #[test]
    fn files_as_expected_are_not_parsed_and_the_rest_read_as_they_are() {
        let (dir, objects, refs) = three_written();
        std::fs::remove_file(dir.path().join(file_name(&refs[1]))).unwrap();
        let edited = cm("a", "three", "33");
        std::fs::write(
            dir.path().join(file_name(&refs[2])),
            to_yaml(&edited).unwrap(),
        )
        .unwrap();
        let expected: Vec<String> = objects.iter().map(|o| to_yaml(o).unwrap()).collect();
        let names: Vec<String> = refs.iter().map(file_name).collect();
        let files: Vec<(&str, Option<&str>)> = names
            .iter()
            .zip(&expected)
            .map(|(name, text)| (name.as_str(), Some(text.as_str())))
            .collect();
        let read = read_directory_expecting(dir.path(), &files).unwrap();
        assert_eq!(read[0], None);
        assert_eq!(read[1], Some(FileState::Missing));
        assert_eq!(read[2], Some(FileState::Present(edited)));
    }

    #[test]
    fn numbers_survive_the_yaml_round_trip() {
        let object = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "w"}, "spec": {"replicas": 3, "ratio": 0.5, "big": 18446744073709551615u64,
            "neg": -2, "flag": true, "none": null, "text": "3"}});
        assert_eq!(from_yaml(&to_yaml(&object).unwrap()).unwrap(), object);
        assert!(to_yaml(&object).unwrap().contains("replicas: 3\n"));
    }

    #[test]
    fn a_damaged_index_never_points_outside_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(INDEX_FILE),
            r#"{"files": ["../etc/passwd"]}"#,
        )
        .unwrap();
        assert!(matches!(
            write_directory(dir.path(), &[]),
            Err(DirectoryError::Index { .. })
        ));
    }

    #[test]
    fn subdirectories_stay_inside_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("target");
        for bad in [
            "..",
            ".",
            "",
            "../x",
            "a/../../x",
            "/etc",
            ".hidden",
            "a\\b",
        ] {
            assert!(
                matches!(
                    subdirectory(&root, &[bad]),
                    Err(DirectoryError::Outside { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            subdirectory(&root, &["default.app"]).unwrap(),
            root.join("default.app")
        );
        std::fs::create_dir_all(&root).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("escape")).unwrap();
        assert!(matches!(
            subdirectory(&root, &["escape", "x"]),
            Err(DirectoryError::Outside { .. })
        ));
    }

    #[test]
    fn resolving_removes_dots_and_follows_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        assert_eq!(resolve(&dir.path().join("a/./b/../c")), real.join("a/c"));
        std::os::unix::fs::symlink(&real, real.join("link")).unwrap();
        assert_eq!(resolve(&real.join("link/new")), real.join("new"));
    }

    #[test]
    fn an_object_whose_file_name_would_be_hidden_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let object = json!({"apiVersion": ".example.com/v1", "kind": "Thing",
            "metadata": {"name": "x"}});
        assert!(matches!(
            write_directory(dir.path(), &[object]),
            Err(DirectoryError::Outside { .. })
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn secret_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let secret = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s", "namespace": "a"}, "data": {"k": "dg=="}});
        let mode = |name: &str| {
            std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        // Written before this rule, readable by all: the next write makes it private.
        std::fs::write(
            dir.path().join("core_v1_secret_a_s.yaml"),
            to_yaml(&secret).unwrap(),
        )
        .unwrap();
        std::fs::set_permissions(
            dir.path().join("core_v1_secret_a_s.yaml"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        write_directory(dir.path(), &[secret.clone(), cm("a", "c", "1")]).unwrap();
        assert_eq!(mode("core_v1_secret_a_s.yaml"), 0o600);
        assert_ne!(mode("core_v1_configmap_a_c.yaml") & 0o044, 0);

        let mut changed = secret;
        changed["data"]["k"] = json!("dzI=");
        write_directory(dir.path(), &[changed]).unwrap();
        assert_eq!(mode("core_v1_secret_a_s.yaml"), 0o600);
    }
}
