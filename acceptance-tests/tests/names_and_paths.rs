//! Names are validated as Kubernetes validates them before they become paths: no name makes a
//! directory target write outside its directory, two subscriptions never share a directory,
//! and two clusters never share one (issue 12, point 4).

use std::path::{Path, PathBuf};

use acceptance_tests::terraform::{Terraform, Workspace};

/// The target lies deep inside the workspace, so that any `..` escape still lands inside the
/// workspace, where the test can see it.
const TARGET: &str = "deep/er/still/rendered/eu-1";

fn provider() -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  clusters = {{
    "eu-1" = {{ labels = {{ env = "prod" }}, directory = "${{path.module}}/{TARGET}" }}
  }}
}}
"#
    )
}

const SETTINGS: &str = r#"
resource "clusternet_manifest" "settings" {
  manifest = jsonencode({
    apiVersion = "v1", kind = "ConfigMap"
    metadata   = { name = "settings", namespace = "default" }
    data       = { color = "blue" }
  })
}
"#;

fn subscription(label: &str, namespace: &str, name: &str) -> String {
    format!(
        r#"
resource "clusternet_subscription" "{label}" {{
  name      = "{name}"
  namespace = "{namespace}"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [clusternet_manifest.settings.feed]
}}
"#
    )
}

fn manifest(label: &str, api_version: &str, kind: &str, namespace: &str, name: &str) -> String {
    format!(
        r#"
resource "clusternet_manifest" "{label}" {{
  manifest = jsonencode({{
    apiVersion = "{api_version}", kind = "{kind}"
    metadata   = {{ name = "{name}", namespace = "{namespace}" }}
  }})
}}
"#
    )
}

/// `text` with every run of whitespace one space: terraform wraps diagnostics at 80 columns.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every file under `dir` except Terraform's and the test harness's own (hidden at the top,
/// and the state), relative to `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            let name = relative.to_string_lossy();
            if (d == dir && name.starts_with('.')) || name.starts_with("terraform.tfstate") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(relative);
            }
        }
    }
    out.sort();
    out
}

fn assert_nothing_outside_the_target(ws: &Workspace, tf: &Terraform) {
    for file in files_under(ws.path()) {
        assert!(
            file.starts_with(TARGET) || file == Path::new("main.tf"),
            "terraform {}: {} was written outside the directory target",
            tf.version,
            file.display()
        );
    }
}

#[test]
fn names_that_are_paths_are_rejected_at_validate_and_nothing_is_written() {
    let long = "a".repeat(254);
    // (resource, attribute line terraform points at, detail)
    let bad_subscriptions = [
        ("up", "default", "../../../outside"),
        ("through", "default", "a/../../x"),
        ("absolute", "default", "/tmp/x"),
        ("dotdot", "default", ".."),
        ("trailing_dot", "default", "a."),
        ("upper", "default", "App"),
        ("long", "default", long.as_str()),
        ("ns_up", "../../../outside", "app"),
        ("ns_dots", "a.b", "c"),
        ("ns_absolute", "/tmp", "app"),
    ];
    let bad_manifests = [
        ("m_name", "v1", "ConfigMap", "default", "../x"),
        ("m_namespace", "v1", "ConfigMap", "..", "x"),
        ("m_group", ".example.com/v1", "Thing", "default", "x"),
        ("m_kind", "v1", "../Thing", "default", "x"),
    ];
    for tf in Terraform::all() {
        let mut config = provider() + SETTINGS;
        for (label, ns, name) in bad_subscriptions {
            config += &subscription(label, ns, name);
        }
        for (label, api_version, kind, ns, name) in bad_manifests {
            config += &manifest(label, api_version, kind, ns, name);
        }
        config += r#"
resource "clusternet_localization" "l" {
  name    = "../l"
  cluster = "eu-1"
  feed    = clusternet_manifest.settings.feed
  override {
    type  = "MergePatch"
    value = "{}"
  }
}

resource "clusternet_globalization" "g" {
  name = "g/../../x"
  feed = clusternet_manifest.settings.feed
  override {
    type  = "MergePatch"
    value = "{}"
  }
}
"#;
        let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
        let text = flat(&ws.apply().expect_failure().all_output());
        for (label, ns, name) in bad_subscriptions {
            let (summary, line) = if label.starts_with("ns_") {
                ("Error: Invalid namespace", format!("namespace = {ns:?}"))
            } else {
                ("Error: Invalid name", format!("name = {name:?}"))
            };
            assert!(
                text.contains(&format!(
                    "in resource \"clusternet_subscription\" \"{label}\""
                )),
                "terraform {}: no error for {label}:\n{text}",
                tf.version
            );
            assert!(text.contains(summary), "{text}");
            assert!(
                text.contains(&format!("{line} must ")),
                "terraform {}: the detail quotes {line}:\n{text}",
                tf.version
            );
        }
        for (label, _, _, _, _) in bad_manifests {
            assert!(
                text.contains(&format!("in resource \"clusternet_manifest\" \"{label}\"")),
                "terraform {}: no error for {label}:\n{text}",
                tf.version
            );
        }
        for expected in [
            "The manifest's metadata.name \"../x\" must consist of",
            "The manifest's metadata.namespace \"..\" must consist of",
            "The manifest's apiVersion \".example.com/v1\" has group \".example.com\", which \
             must consist of",
            "The manifest's kind \"../Thing\" must start with a letter",
            "name = \"../l\" must consist of",
            "name = \"g/../../x\" must consist of",
            "Use a Kubernetes name (a DNS subdomain)",
            "Use a Kubernetes name (a DNS label)",
        ] {
            assert!(
                text.contains(expected),
                "terraform {}: expected {expected:?} in:\n{text}",
                tf.version
            );
        }
        assert_nothing_outside_the_target(&ws, &tf);
        assert!(
            files_under(ws.path()) == [PathBuf::from("main.tf")],
            "terraform {}: nothing is written when validation fails",
            tf.version
        );
    }
}

#[test]
fn subscriptions_a_b_c_and_a_bc_never_share_a_directory() {
    for tf in Terraform::all() {
        // `a.b/c` and `a/b.c` would both be `a.b.c/`: the first is not a valid namespace.
        let both =
            provider() + SETTINGS + &subscription("x", "a", "b.c") + &subscription("y", "a.b", "c");
        let ws = Workspace::from_files(&[("main.tf", &both)], &tf);
        let text = ws.apply().expect_failure().all_output();
        let text = flat(&text);
        assert!(
            text.contains("Error: Invalid namespace")
                && text.contains("namespace = \"a.b\" must consist of lowercase letters"),
            "terraform {}:\n{text}",
            tf.version
        );
        assert!(!ws.path().join(TARGET).exists(), "nothing is written");

        ws.write(
            "main.tf",
            &(provider()
                + SETTINGS
                + &subscription("x", "a", "b.c")
                + &subscription("y", "a-b", "c")),
        );
        ws.apply().expect_success();
        let target = ws.path().join(TARGET);
        for dir in ["a.b.c", "a-b.c"] {
            assert!(
                target
                    .join(dir)
                    .join("core_v1_configmap_default_settings.yaml")
                    .exists(),
                "terraform {}: {dir}/ holds its subscription's files",
                tf.version
            );
        }
        assert_nothing_outside_the_target(&ws, &tf);
        ws.destroy().expect_success();
        assert!(
            files_under(&target).is_empty(),
            "destroy removes every file"
        );
    }
}

#[test]
fn an_api_group_starting_with_a_dot_is_rejected_before_any_file_and_apply_and_destroy_work() {
    for tf in Terraform::all() {
        let good = provider() + SETTINGS + &subscription("app", "default", "app");
        let ws = Workspace::from_files(&[("main.tf", &good)], &tf);
        ws.apply().expect_success();

        let bad = good.replace(
            "feeds = [clusternet_manifest.settings.feed]",
            "feeds = [clusternet_manifest.settings.feed, clusternet_manifest.dotted.feed]",
        ) + &manifest("dotted", ".example.com/v1", "Thing", "default", "x");
        ws.write("main.tf", &bad);
        let text = ws.apply().expect_failure().all_output();
        let text = flat(&text);
        assert!(
            text.contains("Error: Invalid object name")
                && text.contains("apiVersion \".example.com/v1\" has group \".example.com\""),
            "terraform {}:\n{text}",
            tf.version
        );
        let hidden: Vec<_> = files_under(ws.path())
            .into_iter()
            .filter(|f| {
                f.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".example")
            })
            .collect();
        assert!(
            hidden.is_empty(),
            "no file named after the group: {hidden:?}"
        );

        ws.write("main.tf", &good);
        ws.apply().expect_success();
        ws.destroy().expect_success();
        assert!(files_under(&ws.path().join(TARGET)).is_empty());
    }
}

#[test]
fn two_clusters_on_one_directory_is_an_error_on_the_second_clusters_directory() {
    for tf in Terraform::all() {
        let eu_1 = format!("directory = \"${{path.module}}/{TARGET}\" }}\n");
        let config = provider().replace(
            &eu_1,
            &format!(
                "{eu_1}    \"eu-2\" = {{ labels = {{ env = \"prod\" }}, directory = \
                 \"./deep/er/still/rendered/x/../eu-1/\" }}\n"
            ),
        ) + SETTINGS
            + &subscription("app", "default", "app");
        let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
        let text = ws.apply().expect_failure().all_output();
        let text = flat(&text);
        assert!(
            text.contains("Error: Directory used by two clusters")
                && text.contains("Clusters \"eu-1\" and \"eu-2\" both write to directory"),
            "terraform {}:\n{text}",
            tf.version
        );
        assert!(!ws.path().join(TARGET).exists(), "nothing is written");
    }
}
