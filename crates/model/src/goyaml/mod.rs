//! YAML the way Clusternet's field patches read and write it: `sigs.k8s.io/yaml` v1.4.0,
//! whose `YAMLToJSON` and `JSONToYAML` run on its fork of `gopkg.in/yaml.v2` (v2.4.0).
//!
//! That library speaks YAML 1.1, which differs from [`crate::yaml`] (YAML 1.2, used for
//! input objects) in ways that change a field's meaning or bytes:
//! * reading, unquoted `y`/`yes`/`on`/`n`/`no`/`off` (any case variant the resolver lists)
//!   are booleans, `012` is octal, `1_000` is an integer ([`resolve`]);
//! * writing, map keys come in "natural" order (`item2` < `item9` < `item10`), a string that
//!   would read back as another type is double-quoted (`"true"`, `"8080"`, `"on"`, `""`),
//!   floats are printed with Go's `%g`, and long lines fold at 80 columns ([`emit`]).

pub mod emit;
pub mod read;
pub mod resolve;

pub use emit::json_to_yaml;
pub use read::yaml_to_json;
