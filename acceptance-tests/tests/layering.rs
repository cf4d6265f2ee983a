//! DESIGN.md §2: `model` never imports `deploy` or `tfplugin`; `deploy` never imports
//! `tfplugin`; `tfplugin` knows nothing of Kubernetes; `provider` is the only place they meet.

use acceptance_tests::terraform::repo_root;

/// The `[dependencies]` table of a crate's manifest, as text.
fn dependencies(crate_dir: &str) -> String {
    let manifest =
        std::fs::read_to_string(repo_root().join(crate_dir).join("Cargo.toml")).expect("manifest");
    let start = manifest
        .find("[dependencies]")
        .map_or(0, |i| i + "[dependencies]".len());
    let rest = &manifest[start..];
    let end = rest.find("\n[").unwrap_or(rest.len());
    rest[..end].to_string()
}

fn depends_on(crate_dir: &str, dependency: &str) -> bool {
    dependencies(crate_dir)
        .lines()
        .any(|line| line.trim_start().starts_with(dependency))
}

#[test]
fn model_is_pure() {
    for forbidden in [
        "clusternet-deploy",
        "clusternet-tfplugin",
        "kube",
        "tokio",
        "tonic",
    ] {
        assert!(
            !depends_on("crates/model", forbidden),
            "model depends on {forbidden}"
        );
    }
}

#[test]
fn deploy_knows_nothing_of_terraform() {
    assert!(!depends_on("crates/deploy", "clusternet-tfplugin"));
}

#[test]
fn tfplugin_knows_nothing_of_kubernetes_or_clusternet() {
    for forbidden in [
        "clusternet-model",
        "clusternet-deploy",
        "kube",
        "k8s-openapi",
    ] {
        assert!(
            !depends_on("crates/tfplugin", forbidden),
            "tfplugin depends on {forbidden}"
        );
    }
}

#[test]
fn provider_is_where_the_layers_meet() {
    for needed in [
        "clusternet-tfplugin",
        "clusternet-model",
        "clusternet-deploy",
    ] {
        assert!(depends_on("provider", needed), "provider lacks {needed}");
    }
}
