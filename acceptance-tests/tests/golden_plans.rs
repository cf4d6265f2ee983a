//! Golden plans: `terraform plan -no-color` of every example that plans with no cluster and no
//! hub is byte-identical to its golden file, with terraform 1.11 and with 1.0.3. What a plan
//! shows (the per-cluster `descriptions`, replica splits, templated charts, the order and the
//! wording of it all) is the provider's user-facing behaviour; a change meant to keep
//! behaviour must keep these files.
//!
//! Golden files: `acceptance-tests/golden/<example>.terraform-<version>.txt` (`<version>` is
//! the harness's label, `1.11` or `1.0`). The examples: `quickstart`, both environments of
//! `module-reuse`, `module-testing` (the `clusternet_render` data source, outputs only) and
//! `helm` (its chart served from a repository on 127.0.0.1, as its README does; helm from the
//! project's cache). `multi-cluster` needs the test bed and is not here.
//!
//! Run: `cargo test -p acceptance-tests --test golden_plans`.
//! Regenerate after an intended change of the plan, then review the diff of the golden files:
//! `UPDATE_GOLDEN=1 cargo test -p acceptance-tests --test golden_plans`. To write them from
//! another build (e.g. the provider before a change, to compare), name its binary in
//! `CLUSTERNET_PROVIDER_BINARY`. The files here were written by the provider as of fa5b4fe,
//! before the redesign of issue 11.

use std::path::{Path, PathBuf};

use acceptance_tests::terraform::{Outcome, Terraform, Workspace, copy_example, repo_root};
use acceptance_tests::testbed::{ChartRepo, tools};

fn examples() -> PathBuf {
    repo_root().join("examples")
}

fn golden_dir() -> PathBuf {
    repo_root().join("acceptance-tests/golden")
}

/// What may legitimately differ between machines and runs, replaced by a fixed placeholder.
/// Everything else is compared byte for byte.
struct Normalise {
    /// `(text, placeholder)`, applied in order.
    replacements: Vec<(String, &'static str)>,
}

impl Normalise {
    fn for_workspace(ws: &Workspace) -> Normalise {
        let mut replacements = Vec::new();
        // The workspace is a fresh temporary directory per run (tempfile, under $TMPDIR). It
        // shows in the dev_overrides warning (the provider's directory is
        // `<workspace>/.provider-bin`); the canonical form too, in case $TMPDIR is a symlink.
        if let Ok(canonical) = ws.path().canonicalize()
            && canonical != ws.path()
        {
            replacements.push((canonical.display().to_string(), "<workspace>"));
        }
        replacements.push((ws.path().display().to_string(), "<workspace>"));
        Normalise { replacements }
    }

    /// The chart repository of a test listens on a free port picked at random, and its URL
    /// is the `repo` attribute of a `clusternet_helm_chart`.
    fn chart_repo(mut self, repo: &ChartRepo) -> Normalise {
        self.replacements
            .push((repo.url().to_string(), "http://127.0.0.1:<port>"));
        self
    }

    fn apply(&self, text: &str) -> String {
        let replaced = self
            .replacements
            .iter()
            .fold(text.to_string(), |text, (from, to)| text.replace(from, to));
        let mut out = String::with_capacity(replaced.len());
        for line in replaced.split_inclusive('\n') {
            // Terraform 1.11 times data source reads ("Read complete after 0s", and a
            // "Still reading... [10s elapsed]" line every 10 s): wall-clock time, not behaviour.
            if line.contains(": Still reading... [") {
                continue;
            }
            match line.split_once(": Read complete after ") {
                Some((subject, _)) => {
                    out.push_str(subject);
                    out.push_str(": Read complete after <duration>\n");
                }
                None => out.push_str(line),
            }
        }
        out
    }
}

/// Compares a successful plan's stdout (and its stderr, when it has any) with the golden file
/// `<example>.terraform-<version>.txt`, or writes the file under `UPDATE_GOLDEN=1`.
fn assert_golden(example: &str, tf: &Terraform, plan: &Outcome, normalise: &Normalise) {
    let mut actual = normalise.apply(&plan.stdout);
    if !plan.stderr.is_empty() {
        actual.push_str("--- stderr\n");
        actual.push_str(&normalise.apply(&plan.stderr));
    }
    let name = format!("{example}.terraform-{}.txt", tf.version);
    let golden = golden_dir().join(&name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::create_dir_all(golden_dir()).expect("golden dir");
        std::fs::write(&golden, &actual).expect("write golden file");
        eprintln!("updated {}", golden.display());
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with UPDATE_GOLDEN=1 cargo test -p acceptance-tests --test golden_plans",
            golden.display()
        )
    });
    if expected != actual {
        let actual_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(&name);
        std::fs::write(&actual_file, &actual).expect("write actual plan");
        panic!(
            "{example} ({}): the plan differs from its golden file{}\n\
             see: diff -u {} {}\n\
             (UPDATE_GOLDEN=1 rewrites the golden files when the change is intended)",
            tf.version,
            first_difference(&expected, &actual),
            golden.display(),
            actual_file.display()
        );
    }
}

/// The first line that differs, for the failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for line in 1.. {
        match (e.next(), a.next()) {
            (None, None) => return " (only in line endings)".to_string(),
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    " at line {line}:\n  golden: {}\n  actual: {}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                );
            }
        }
    }
    unreachable!()
}

/// A workspace holding a copy of `examples/<example>`.
fn example_workspace(example: &str, tf: &Terraform) -> Workspace {
    let ws = Workspace::from_files(&[], tf);
    copy_example(&examples().join(example), ws.path());
    ws
}

#[test]
fn quickstart_plan_is_golden() {
    for tf in Terraform::all() {
        let ws = example_workspace("quickstart", &tf);
        let plan = ws.plan().expect_success();
        assert!(plan.stdout.contains("descriptions"), "{}", plan.stdout);
        assert_golden("quickstart", &tf, &plan, &Normalise::for_workspace(&ws));
    }
}

#[test]
fn module_reuse_plans_are_golden() {
    for tf in Terraform::all() {
        let ws = example_workspace("module-reuse", &tf);
        for env in ["staging", "production"] {
            let chdir = format!("-chdir=environments/{env}");
            // Installs the local module; no `init` (dev_overrides, no registry).
            ws.run(&[&chdir, "get", "-no-color"]).expect_success();
            let plan = ws
                .run(&[&chdir, "plan", "-no-color", "-input=false"])
                .expect_success();
            assert!(plan.stdout.contains("descriptions"), "{}", plan.stdout);
            assert_golden(
                &format!("module-reuse-{env}"),
                &tf,
                &plan,
                &Normalise::for_workspace(&ws),
            );
        }
    }
}

#[test]
fn module_testing_plan_is_golden() {
    for tf in Terraform::all() {
        let ws = example_workspace("module-testing", &tf);
        let plan = ws.plan().expect_success();
        assert_golden("module-testing", &tf, &plan, &Normalise::for_workspace(&ws));
    }
}

#[test]
fn helm_plan_is_golden() {
    let example = examples().join("helm");
    let repo = ChartRepo::serve(&[&example.join("charts/greeter")]).expect("chart repository");
    // The provider runs the `helm` on PATH (the example sets no `helm_binary`).
    let helm_dir = tools().helm.parent().expect("helm's directory").display();
    let path = format!("{helm_dir}:{}", std::env::var("PATH").unwrap_or_default());
    for tf in Terraform::all() {
        let mut ws = example_workspace("helm", &tf);
        ws.set_env("TF_VAR_repo", repo.url());
        ws.set_env("PATH", &path);
        let plan = ws.plan().expect_success();
        assert!(
            plan.stdout
                .contains("us-1/helm/greeter/v1/ConfigMap/greeter/greeter"),
            "the chart is templated at plan:\n{}",
            plan.stdout
        );
        assert_golden(
            "helm",
            &tf,
            &plan,
            &Normalise::for_workspace(&ws).chart_repo(&repo),
        );
    }
}
