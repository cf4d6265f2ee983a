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

/// The provider's top-level modules (`provider.rs`, `registry.rs`, `resources/`, `hub/`, ...)
/// and the modules each one's non-test code names with `crate::`.
fn provider_module_uses() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>>
{
    fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("provider sources") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let src = repo_root().join("provider/src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut uses: std::collections::BTreeMap<_, std::collections::BTreeSet<_>> = Default::default();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(&file).expect("source");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let used = uses.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    used.insert(name);
                }
            }
        }
    }
    uses
}

/// A reader can take the provider's modules in one order: each uses only modules below it
/// (no module reaches itself through others), so layers stay visible in the tree.
#[test]
fn provider_modules_form_no_cycle() {
    let uses = provider_module_uses();
    for start in uses.keys() {
        let mut stack = vec![vec![start.clone()]];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path.last().expect("a path is never empty");
            for next in uses.get(last).into_iter().flatten() {
                assert!(
                    next != start,
                    "provider modules form a cycle: {} -> {next}",
                    path.join(" -> ")
                );
                if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push(longer);
                }
            }
        }
    }
    assert!(uses.contains_key("resources") && uses.contains_key("registry"));
}
