//! Field-patch vectors: a field, an override value and the bytes Clusternet writes back into
//! the field (`None`: Clusternet fails the override).
//!
//! Each expected value is what `applyFieldJSONPatch` / `applyFieldMergePatch`
//! (clusternet `pkg/controllermanager/deployer/localizer/patch.go`) produce with the library
//! versions Clusternet's go.mod pins - evanphx/json-patch v5.7.0+incompatible (`patch.go`
//! `ApplyIndent`, `merge.go` `MergePatch`) and sigs.k8s.io/yaml v1.4.0 (`YAMLToJSON`,
//! `JSONToYAML` on its goyaml.v2 fork) - as recorded by running those libraries (Go 1.19)
//! on these inputs, the override value first converted by `yaml.YAMLToJSON` as
//! `applyOverrides` does. Modes: `json-jsonpatch` (FieldJSONPatch, JSON), `json-merge`
//! (FieldMergePatch, JSON), `yaml-merge` / `yaml-jsonpatch` (YAML fields).
//! Covered: lazy nodes (untouched nested bytes, path containers and `test`ed subtrees
//! re-sorted, `copy` keeping raw bytes, byte-wise `test`), the original bytes on a missing
//! path, float64 merge results, goyaml.v2 natural key order, quoting of strings that read as
//! other types, `%g` floats, style fallbacks, folding at 80 columns, YAML 1.1 reading.

use clusternet_model::overrides::field_patch::{Inner, field_patch};
use clusternet_model::overrides::json_patch::Patch;
use clusternet_model::types::FieldFormat;

type Vector = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const VECTORS: &[Vector] = &[
    (
        "json-jsonpatch",
        "   ",
        "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]",
        Some("   "),
    ),
    ("json-merge", "   ", "{\"a\":1}", None),
    ("yaml-merge", "   ", "{\"a\":1}", None),
    (
        "json-jsonpatch",
        "{\"zeta\": {\"y\": 1.50, \"x\": [3, {\"b\": 1, \"a\": 2}]},\n \"alpha\": {\"k\": \"v\"}, \"mid\": {\"q\": 1, \"p\": 2}}",
        "[{\"op\":\"add\",\"path\":\"/mid/r\",\"value\":3}]",
        Some(
            "{\n    \"alpha\": {\n        \"k\": \"v\"\n    },\n    \"mid\": {\n        \"p\": 2,\n        \"q\": 1,\n        \"r\": 3\n    },\n    \"zeta\": {\n        \"y\": 1.50,\n        \"x\": [\n            3,\n            {\n                \"b\": 1,\n                \"a\": 2\n            }\n        ]\n    }\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"b\": 1,   \"a\": {\"d\": 1, \"c\": 2}}",
        "[{\"op\":\"replace\",\"path\":\"/nope/x\",\"value\":1}]",
        Some("{\"b\": 1,   \"a\": {\"d\": 1, \"c\": 2}}"),
    ),
    (
        "json-jsonpatch",
        "{\"zeta\": {\"y\": 1.50, \"x\": [3, {\"b\": 1, \"a\": 2}]}, \"mid\": {\"q\": 1, \"p\": 2}}",
        "[{\"op\":\"test\",\"path\":\"/zeta\",\"value\":{\"x\":[3,{\"a\":2,\"b\":1}],\"y\":1.5}},{\"op\":\"copy\",\"from\":\"/mid\",\"path\":\"/copy\"}]",
        None,
    ),
    (
        "json-jsonpatch",
        "{\"a\": \"<b> & \\u00e9\", \"l\": [{\"z\": 1, \"y\": 2}, {\"z\": 3, \"y\": 4}]}",
        "[{\"op\":\"move\",\"from\":\"/l/0\",\"path\":\"/l/-\"},{\"op\":\"remove\",\"path\":\"/l/0/y\"}]",
        Some(
            "{\n    \"a\": \"\\u003cb\\u003e \\u0026 \\u00e9\",\n    \"l\": [\n        {\n            \"z\": 3\n        },\n        {\n            \"z\": 1,\n            \"y\": 2\n        }\n    ]\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a\": {\"b\": {\"d\": 1, \"c\": 2}, \"z\": [1,2]}}",
        "[{\"op\":\"replace\",\"path\":\"/a/b/c\",\"value\":{\"y\":1,\"x\":2}}]",
        Some(
            "{\n    \"a\": {\n        \"b\": {\n            \"c\": {\n                \"x\": 2,\n                \"y\": 1\n            },\n            \"d\": 1\n        },\n        \"z\": [\n            1,\n            2\n        ]\n    }\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a\": 1}",
        "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]",
        None,
    ),
    (
        "json-merge",
        "{\"big\": 12345678901234567890, \"one\": 1.0, \"small\": 7, \"n\": {\"z\": 2.50, \"a\": 1e3}}",
        "{\"x\": 1, \"n\": {\"k\": 0.0000001}}",
        Some(
            "{\n    \"big\": 12345678901234567000,\n    \"n\": {\n        \"a\": 1000,\n        \"k\": 1e-7,\n        \"z\": 2.5\n    },\n    \"one\": 1,\n    \"small\": 7,\n    \"x\": 1\n}",
        ),
    ),
    (
        "json-merge",
        "{\"a\": \"<&>\", \"huge\": 1e21, \"neg\": -0.0}",
        "{\"b\": null}",
        Some("{\n    \"a\": \"\\u003c\\u0026\\u003e\",\n    \"huge\": 1e+21,\n    \"neg\": -0\n}"),
    ),
    (
        "yaml-merge",
        "mode: \"on\"\nenabled: on\nport: \"8080\"\nitem10: a\nitem9: b\nitem2: c\nempty: \"\"\n",
        "{\"x\": \"yes\"}",
        Some(
            "empty: \"\"\nenabled: true\nitem2: c\nitem9: b\nitem10: a\nmode: \"on\"\nport: \"8080\"\nx: \"yes\"\n",
        ),
    ),
    (
        "yaml-merge",
        "a: y\nb: n\nc: 012\nd: 1_000\ne: 2001-12-14\nf: 1.0\ng: 0x1F\nh: .5\ni: 1e3\nj: \"1:20\"\nk: ~\nl: \"null\"\nm: \"12:30\"\n",
        "{\"z\": 1}",
        Some(
            "a: true\nb: false\nc: 10\nd: 1000\ne: \"2001-12-14\"\nf: 1\ng: 31\nh: 0.5\ni: 1000\nj: \"1:20\"\nk: null\nl: \"null\"\nm: \"12:30\"\nz: 1\n",
        ),
    ),
    (
        "yaml-merge",
        "text: \"line1\\nline2\\n\"\ntrail: \"a \\nb\"\ntab: \"x\\ty\"\nlead: \" x\"\ncolon: \"a: b\"\nhash: \"a #b\"\ndash: \"- x\"\nq: \"it's\"\nemoji: \"\u{1f600}\"\nnel: \"a\\u0085b\"\nnb: \"a\\u00a0b\"\nlit3: \"a\\n\\n\"\n",
        "{\"z\": 1}",
        Some(
            "colon: 'a: b'\ndash: '- x'\nemoji: \"\\U0001F600\"\nhash: 'a #b'\nlead: ' x'\nlit3: |+\n  a\n\nnb: a b\nnel: a b\nq: it's\ntab: \"x\\ty\"\ntext: |\n  line1\n  line2\ntrail: \"a \\nb\"\nz: 1\n",
        ),
    ),
    (
        "yaml-merge",
        "long: word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word\nlongq: \"8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080\"\nlongs: \"- x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x\"\nnested:\n  deeper:\n    text: abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc\n",
        "{\"z\": 1}",
        Some(
            "long: word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word word word\n  word word word word word word word word\nlongq: 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080\n  8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080 8080\nlongs: '- x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x\n  x x x x x x x x x x x x x x x x x x x x x x x x'\nnested:\n  deeper:\n    text: abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc\n      abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc\nz: 1\n",
        ),
    ),
    (
        "yaml-merge",
        "list:\n- a\n- - b\n  - c\n- k: v\n  j: w\nemptym: {}\nemptyl: []\nnull: ~\n",
        "{\"z\": [1, {\"y\": []}]}",
        None,
    ),
    (
        "yaml-merge",
        "k: v\n",
        "{\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\": 1, \"multi\\nline\": 2, \"\": 3, \"on\": 4, \"8080\": 5}",
        Some(
            "\"\": 3\n\"8080\": 5\nk: v\n? |-\n  multi\n  line\n: 2\n\"on\": 4\n? xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n: 1\n",
        ),
    ),
    (
        "yaml-jsonpatch",
        "a: yes\nb: [1, 2]\n",
        "[{\"op\":\"add\",\"path\":\"/flag\",\"value\":\"off\"},{\"op\":\"replace\",\"path\":\"/b/0\",\"value\":1.5}]",
        Some("a: true\nb:\n- 1.5\n- 2\nflag: \"off\"\n"),
    ),
    (
        "yaml-jsonpatch",
        "a: 1\n",
        "[{\"op\":\"remove\",\"path\":\"/missing\"}]",
        Some("a: 1\n"),
    ),
    (
        "yaml-merge",
        "num: 12345678901234567890\nbig: 123456789012345678901234567890\nf: 1234567.5\ng: 0.00001\nh: 100000000.0\n",
        "{\"z\": 1}",
        Some(
            "big: 1.2345678901234568e+29\nf: 1.2345675e+06\ng: 1e-05\nh: 100000000\nnum: 12345678901234567890\nz: 1\n",
        ),
    ),
    (
        "yaml-merge",
        "a: \"a \\u0085\\u0085 b\"\nb: \"x\\u0085\\u0085\\u0085y\"\nc: \" \\u0085 \"\n",
        "{\"z\":1}",
        Some("a: |-\n  a\n  b\nb: |-\n  x\n\n  y\nc: ' '\nz: 1\n"),
    ),
    (
        "json-jsonpatch",
        "{\"zeta\": {\"y\": 1.50}}",
        "[{\"op\":\"test\",\"path\":\"/zeta/y\",\"value\":1.50}]",
        None,
    ),
    (
        "json-jsonpatch",
        "{\"s\": \"\\u00e9\"}",
        "[{\"op\":\"test\",\"path\":\"/s\",\"value\":\"é\"}]",
        None,
    ),
    (
        "json-jsonpatch",
        "[{\"b\":1,\"a\":2}, 3]",
        "[{\"op\":\"add\",\"path\":\"/-\",\"value\":{\"y\":1,\"x\":2}}]",
        Some(
            "[\n    {\n        \"b\": 1,\n        \"a\": 2\n    },\n    3,\n    {\n        \"x\": 2,\n        \"y\": 1\n    }\n]",
        ),
    ),
    (
        "json-jsonpatch",
        " {\"b\":1,\"a\":2}",
        "[{\"op\":\"add\",\"path\":\"/c\",\"value\":1}]",
        Some("{\n    \"a\": 2,\n    \"b\": 1,\n    \"c\": 1\n}"),
    ),
    (
        "json-jsonpatch",
        "{\"a\":{\"c\":1,\"b\":2}}",
        "[{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":{\"b\":2,\"c\":1}}}]",
        Some("{\n    \"a\": {\n        \"b\": 2,\n        \"c\": 1\n    }\n}"),
    ),
    (
        "yaml-merge",
        "a: \"ÿ\"\nb: \"\\x7f\"\nc: \"\\ufeff\"\nd: \"x\\u2028y\"\n",
        "{\"z\":1}",
        None,
    ),
    (
        "yaml-merge",
        "a: 1\n",
        "{\"k0\": \"0.5\", \"k1\": \"-\", \"k2\": \"~\", \"k3\": \"<<\", \"k4\": \".inf\", \"k5\": \"1e\", \"k6\": \"+1\", \"k7\": \"0b1\", \"k8\": \"0o7\", \"k9\": \"0x\", \"k10\": \"190:20:30\", \"k11\": \"1:2\", \"k12\": \"2001-1-2\", \"k13\": \"2001-01-02 3:04:05\", \"k14\": \"2001-12-14T21:59:43.10Z\", \"k15\": \"2001-12-14T21:59:43\", \"k16\": \"1_0\", \"k17\": \"_1\", \"k18\": \"1__0\", \"k19\": \"Y\", \"k20\": \"n\", \"k21\": \"NULL\", \"k22\": \"Null\", \"k23\": \"nULL\", \"k24\": \"TRUE\", \"k25\": \"tRUE\", \"k26\": \"0777\", \"k27\": \"08\", \"k28\": \"-0\", \"k29\": \"+.5\", \"k30\": \".\", \"k31\": \"..\", \"k32\": \"...\", \"k33\": \"---\", \"k34\": \"--- x\", \"k35\": \"a:\", \"k36\": \"a:b\", \"k37\": \":a\", \"k38\": \"? x\", \"k39\": \"?x\", \"k40\": \"!x\", \"k41\": \"&x\", \"k42\": \"*x\", \"k43\": \"%x\", \"k44\": \"@x\", \"k45\": \"`x\", \"k46\": \"x #y\", \"k47\": \"x#y\", \"k48\": \"#\", \"k49\": \"[x\", \"k50\": \"x]\", \"k51\": \"{x}\", \"k52\": \"x,y\", \"k53\": \"'x\", \"k54\": \"\\\"x\", \"k55\": \"|x\", \"k56\": \">x\", \"k57\": \"x\\n\", \"k58\": \"\\nx\", \"k59\": \"x\\n\\n\", \"k60\": \"  x\\n y\", \"k61\": \"x  \", \"k62\": \"\\u00e9\", \"k63\": \"\\u65e5\\u672c\", \"k64\": \"\\u00a0x\", \"k65\": \"a\\tb\", \"k66\": \"\\\\\", \"k67\": \"a\\\"b\", \"k68\": \"a'b\"}",
        Some(
            "a: 1\nk0: \"0.5\"\nk1: '-'\nk2: \"~\"\nk3: <<\nk4: \".inf\"\nk5: 1e\nk6: \"+1\"\nk7: \"0b1\"\nk8: \"0o7\"\nk9: 0x\nk10: \"190:20:30\"\nk11: \"1:2\"\nk12: \"2001-1-2\"\nk13: \"2001-01-02 3:04:05\"\nk14: \"2001-12-14T21:59:43.10Z\"\nk15: 2001-12-14T21:59:43\nk16: \"1_0\"\nk17: _1\nk18: \"1__0\"\nk19: \"Y\"\nk20: \"n\"\nk21: \"NULL\"\nk22: \"Null\"\nk23: nULL\nk24: \"TRUE\"\nk25: tRUE\nk26: \"0777\"\nk27: \"08\"\nk28: \"-0\"\nk29: \"+.5\"\nk30: .\nk31: ..\nk32: '...'\nk33: '---'\nk34: '--- x'\nk35: 'a:'\nk36: a:b\nk37: :a\nk38: '? x'\nk39: ?x\nk40: '!x'\nk41: '&x'\nk42: '*x'\nk43: '%x'\nk44: '@x'\nk45: '`x'\nk46: 'x #y'\nk47: x#y\nk48: '#'\nk49: '[x'\nk50: x]\nk51: '{x}'\nk52: x,y\nk53: '''x'\nk54: '\"x'\nk55: '|x'\nk56: '>x'\nk57: |\n  x\nk58: |2-\n\n  x\nk59: |+\n  x\n\nk60: |2-\n    x\n   y\nk61: 'x  '\nk62: é\nk63: 日本\nk64:  x\nk65: \"a\\tb\"\nk66: \\\nk67: a\"b\nk68: a'b\n",
        ),
    ),
    (
        "yaml-merge",
        "a: 1\n",
        "{\"item01\": 1, \"item1\": 1, \"item001\": 1, \"a10b2\": 1, \"a10b10\": 1, \"a9\": 1, \"A\": 1, \"a\": 1, \"_a\": 1, \"1\": 1, \"01\": 1, \"10\": 1, \"2\": 1, \"\\u00e9\": 1, \"z\": 1, \"Z\": 1, \"a-1\": 1, \"a-01\": 1, \"a.b\": 1, \"a1.5\": 1}",
        Some(
            "_a: 1\n\"1\": 1\n\"01\": 1\n\"2\": 1\n\"10\": 1\nA: 1\nZ: 1\na: 1\na-1: 1\na-01: 1\na.b: 1\na1.5: 1\na9: 1\na10b2: 1\na10b10: 1\nitem1: 1\nitem01: 1\nitem001: 1\nz: 1\né: 1\n",
        ),
    ),
    (
        "yaml-merge",
        "a: 1\n",
        "{\"l\": [\"lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\", {\"k\": \"lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\"}, [\"lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\"]], \"dq\": \"8080 lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\", \"sq\": \"- lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\", \"dq2\": \"x\\tipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum\", \"lit\": \"line lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\\nsecond\\n\", \"lead\": \"  lead\\nx\", \"lit2\": \"\\n\\nx\"}",
        Some(
            "a: 1\ndq: 8080 lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\ndq2: \"x\\tipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum\n  \\ ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum\n  \\ ipsum  ipsum  ipsum  ipsum  ipsum  ipsum  ipsum\"\nl:\n- lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n- k: lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n    lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n    lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n    lorem\n- - lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n    lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n    lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n    lorem\nlead: |2-\n    lead\n  x\nlit: |\n  line lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  second\nlit2: |2-\n\n\n  x\nsq: '- lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem'\n",
        ),
    ),
    (
        "yaml-merge",
        "a: 1\n",
        "{\"n\": {\"m\": {\"o\": {\"p\": \"lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\"}}}}",
        Some(
            "a: 1\n\"n\":\n  m:\n    o:\n      p: lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n        lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n        lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n        lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n        lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n        lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n        lorem lorem\n",
        ),
    ),
    (
        "yaml-merge",
        "a: 1\n",
        "{\"f1\": 1.0, \"f2\": 0.1, \"f3\": 1e-07, \"f4\": 123456789.0, \"f5\": 1.5e+300, \"f6\": -2.5, \"i\": -9223372036854775808, \"u\": 18446744073709551615, \"b\": 18446744073709551616}",
        Some(
            "a: 1\nb: 1.8446744073709552e+19\nf1: 1\nf2: 0.1\nf3: 1e-07\nf4: 123456789\nf5: 1.5e+300\nf6: -2.5\ni: -9223372036854775808\nu: 18446744073709551615\n",
        ),
    ),
    ("yaml-merge", "- a\n- b\n", "{\"z\": 1}", Some("z: 1\n")),
    (
        "yaml-merge",
        "just a string\n",
        "{\"z\": 1}",
        Some("z: 1\n"),
    ),
    (
        "json-jsonpatch",
        "{\"l\":[{\"b\":1,\"a\":{\"d\":1,\"c\":2}},{\"y\":1,\"x\":2}],\"o\":{\"q\":1,\"p\":2}}",
        "[{\"op\": \"copy\", \"from\": \"/l/0\", \"path\": \"/o/c\"}, {\"op\": \"move\", \"from\": \"/l/1\", \"path\": \"/o/m\"}, {\"op\": \"add\", \"path\": \"/l/0/a/e\", \"value\": 3}]",
        Some(
            "{\n    \"l\": [\n        {\n            \"a\": {\n                \"c\": 2,\n                \"d\": 1,\n                \"e\": 3\n            },\n            \"b\": 1\n        }\n    ],\n    \"o\": {\n        \"c\": {\n            \"b\": 1,\n            \"a\": {\n                \"d\": 1,\n                \"c\": 2\n            }\n        },\n        \"m\": {\n            \"y\": 1,\n            \"x\": 2\n        },\n        \"p\": 2,\n        \"q\": 1\n    }\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"l\":[{\"b\":1,\"a\":2}],\"o\":{\"q\":1,\"p\":2}}",
        "[{\"op\": \"test\", \"path\": \"/o\", \"value\": {\"p\": 2, \"q\": 1}}, {\"op\": \"copy\", \"from\": \"/o\", \"path\": \"/c\"}]",
        Some(
            "{\n    \"c\": {\n        \"p\": 2,\n        \"q\": 1\n    },\n    \"l\": [\n        {\n            \"b\": 1,\n            \"a\": 2\n        }\n    ],\n    \"o\": {\n        \"p\": 2,\n        \"q\": 1\n    }\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a\":{\"c\":1,\"b\":2},\"n\":12345678901234567890123,\"s\":\"\\/x\"}",
        "[{\"op\": \"remove\", \"path\": \"/a/b\"}]",
        Some(
            "{\n    \"a\": {\n        \"c\": 1\n    },\n    \"n\": 12345678901234567890123,\n    \"s\": \"\\/x\"\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a\":{\"c\":1,\"b\":2}}",
        "[{\"op\": \"replace\", \"path\": \"\", \"value\": {\"z\": {\"y\": 1, \"x\": 2}}}]",
        Some("{\n    \"z\": {\n        \"x\": 2,\n        \"y\": 1\n    }\n}"),
    ),
    (
        "json-merge",
        "{\"a\":{\"c\":1,\"b\":2},\"l\":[{\"y\":1,\"x\":2}]}",
        "{\"a\": {\"d\": null}}",
        Some(
            "{\n    \"a\": {\n        \"b\": 2,\n        \"c\": 1\n    },\n    \"l\": [\n        {\n            \"x\": 2,\n            \"y\": 1\n        }\n    ]\n}",
        ),
    ),
    (
        "yaml-merge",
        "a: &x\n  b: 1\nc: *x\n",
        "{\"z\": 1}",
        Some("a:\n  b: 1\nc:\n  b: 1\nz: 1\n"),
    ),
    (
        "yaml-merge",
        "a: 'on'\nb: \"yes\"\nc: off\nd: [y, n, ~]\n",
        "{\"z\": \"on\"}",
        Some("a: \"on\"\nb: \"yes\"\nc: false\nd:\n- true\n- false\n- null\nz: \"on\"\n"),
    ),
    (
        "yaml-jsonpatch",
        "a: {b: 1}\n",
        "[{\"op\": \"add\", \"path\": \"/a/c\", \"value\": \"true\"}]",
        Some("a:\n  b: 1\n  c: \"true\"\n"),
    ),
    (
        "json-jsonpatch",
        "[{\"b\":1,\"a\":[{\"d\":1,\"c\":2}]},{\"y\":1}]",
        "[{\"op\": \"add\", \"path\": \"/0/a/0/e\", \"value\": 1}, {\"op\": \"remove\", \"path\": \"/1/y\"}]",
        Some(
            "[\n    {\n        \"a\": [\n            {\n                \"c\": 2,\n                \"d\": 1,\n                \"e\": 1\n            }\n        ],\n        \"b\": 1\n    },\n    {}\n]",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"l\":[{\"b\":1},{\"d\":2,\"c\":1}]}",
        "[{\"op\": \"replace\", \"path\": \"/l/-1/c\", \"value\": 5}]",
        Some(
            "{\n    \"l\": [\n        {\n            \"b\": 1\n        },\n        {\n            \"c\": 5,\n            \"d\": 2\n        }\n    ]\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"l\":[{\"b\":1},{\"d\":2,\"c\":1}]}",
        "[{\"op\": \"add\", \"path\": \"/l/1\", \"value\": {\"n\": 1}}, {\"op\": \"test\", \"path\": \"/l/2\", \"value\": {\"c\": 1, \"d\": 2}}]",
        Some(
            "{\n    \"l\": [\n        {\n            \"b\": 1\n        },\n        {\n            \"n\": 1\n        },\n        {\n            \"c\": 1,\n            \"d\": 2\n        }\n    ]\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a\":{\"b\":{\"c\":{\"e\":1,\"d\":2}}}}",
        "[{\"op\": \"move\", \"from\": \"/a/b/c\", \"path\": \"/x\"}, {\"op\": \"copy\", \"from\": \"/x\", \"path\": \"/a/y\"}]",
        Some(
            "{\n    \"a\": {\n        \"b\": {},\n        \"y\": {\n            \"e\": 1,\n            \"d\": 2\n        }\n    },\n    \"x\": {\n        \"e\": 1,\n        \"d\": 2\n    }\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a\":{\"b\":{\"c\":{\"e\":1,\"d\":2}}}}",
        "[{\"op\": \"test\", \"path\": \"/a/b/c/e\", \"value\": 1}, {\"op\": \"add\", \"path\": \"/z\", \"value\": [3, 2, 1]}]",
        Some(
            "{\n    \"a\": {\n        \"b\": {\n            \"c\": {\n                \"d\": 2,\n                \"e\": 1\n            }\n        }\n    },\n    \"z\": [\n        3,\n        2,\n        1\n    ]\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a~b\":{\"y\":1,\"x\":2},\"c/d\":{\"q\":1,\"p\":2}}",
        "[{\"op\": \"add\", \"path\": \"/a~0b/z\", \"value\": 1}, {\"op\": \"remove\", \"path\": \"/c~1d/q\"}]",
        Some(
            "{\n    \"a~b\": {\n        \"x\": 2,\n        \"y\": 1,\n        \"z\": 1\n    },\n    \"c/d\": {\n        \"p\": 2\n    }\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"b\":1,\"a\":2}",
        "[{\"op\": \"test\", \"path\": \"\", \"value\": {\"a\": 2, \"b\": 1}}]",
        Some("{\n    \"a\": 2,\n    \"b\": 1\n}"),
    ),
    (
        "json-jsonpatch",
        "{\"n\":null,\"a\":{\"y\":1,\"x\":2}}",
        "[{\"op\": \"replace\", \"path\": \"/n\", \"value\": {\"k\": 1}}]",
        Some(
            "{\n    \"a\": {\n        \"y\": 1,\n        \"x\": 2\n    },\n    \"n\": {\n        \"k\": 1\n    }\n}",
        ),
    ),
    (
        "json-jsonpatch",
        "{\"a\": {\"y\": 1, \"x\": 2}}",
        "[{\"op\": \"remove\", \"path\": \"/a\"}, {\"op\": \"add\", \"path\": \"/a\", \"value\": {\"y\": 1, \"x\": 2}}]",
        Some("{\n    \"a\": {\n        \"x\": 2,\n        \"y\": 1\n    }\n}"),
    ),
    ("json-merge", "{\"l\":[1,2]}", "[1, 2]", None),
    (
        "json-merge",
        "{\"a\":{\"y\":\"<\",\"x\":1.000}}",
        "{\"a\": {\"z\": null}}",
        Some("{\n    \"a\": {\n        \"x\": 1,\n        \"y\": \"\\u003c\"\n    }\n}"),
    ),
];

fn run(mode: &str, field: &str, value: &str) -> Option<String> {
    let value = clusternet_model::goyaml::yaml_to_json(value).expect("override value");
    let mut doc = serde_json::json!({"data": {"f": field}});
    let format = if mode.starts_with("json") {
        FieldFormat::Json
    } else {
        FieldFormat::Yaml
    };
    let patch;
    let inner = if mode.ends_with("jsonpatch") {
        patch = Patch::decode(&value).expect("a JSON patch");
        Inner::JsonPatch(&patch)
    } else {
        Inner::MergePatch(&value)
    };
    field_patch(&mut doc, "/data/f", Some(format), inner).ok()?;
    doc["data"]["f"].as_str().map(String::from)
}

#[test]
fn field_patches_write_the_bytes_clusternet_writes() {
    let failures: Vec<String> = VECTORS
        .iter()
        .enumerate()
        .filter_map(|(i, &(mode, field, value, expected))| {
            let got = run(mode, field, value);
            (got.as_deref() != expected).then(|| {
                format!("vector {i} ({mode}, value {value}):\n--- expected\n{expected:?}\n--- got\n{got:?}")
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(VECTORS.len() >= 30);
}
