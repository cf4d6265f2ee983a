//! The plan of `examples/quickstart` is byte for byte the plan the provider made before its
//! redesign (issue 11): the per-cluster `descriptions` preview is the product, so a reshaping
//! of the code must not change one character of it. Terraform 1.11 and 1.0.3 each have their
//! golden file, `acceptance-tests/golden/quickstart-plan-<version>.txt`.
//!
//! Normalised, because it differs between runs and machines and is not the provider's: the
//! temporary directory that terraform's development-override warning names.
//!
//! To write the golden files from a given binary (e.g. the last release, built from its tag):
//! `CLUSTERNET_PROVIDER_BINARY=/path/to/terraform-provider-clusternet UPDATE_GOLDEN=1 cargo
//! test -p acceptance-tests --test quickstart_plan`. A change that is meant to change the plan
//! (a new warning, a new attribute) rewrites them the same way, from the new binary, and says
//! so in its commit.

use acceptance_tests::terraform::{Terraform, Workspace, repo_root};

/// The plan output with the workspace's temporary path replaced.
fn normalised(output: &str, workspace: &std::path::Path) -> String {
    output.replace(&workspace.display().to_string(), "<workspace>")
}

#[test]
fn the_quickstart_plan_is_the_golden_plan() {
    let main = std::fs::read_to_string(repo_root().join("examples/quickstart/main.tf"))
        .expect("examples/quickstart/main.tf");
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        let plan = ws.plan().expect_success();
        let output = normalised(&plan.all_output(), ws.path());
        let golden = repo_root().join(format!(
            "acceptance-tests/golden/quickstart-plan-{}.txt",
            tf.version
        ));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &output).expect("write golden file");
            continue;
        }
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        if output != expected {
            let first = output
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(output.lines().count().min(expected.lines().count()));
            panic!(
                "{}: the quickstart plan differs from {} from line {}:\n--- now\n{}\n--- golden\n{}",
                tf.version,
                golden.display(),
                first + 1,
                output
                    .lines()
                    .skip(first)
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n"),
                expected
                    .lines()
                    .skip(first)
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
    }
}
