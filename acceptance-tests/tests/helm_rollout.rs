//! A HelmChart feed rolled out by real helm to two real clusters of the test bed, from a chart
//! repository served on 127.0.0.1: per-cluster values from a Globalization and a
//! Localization shown in the plan with the objects `helm template` makes of them, releases
//! installed with those values, a version bump upgrading both, a missing version refused at
//! plan with nothing changed, a release changed or removed by hand and an object of it edited
//! or deleted restored, a release left pending-install recovered, and releases uninstalled
//! when the chart leaves the subscription and on destroy.

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{ChartRepo, Cluster, Testbed, charts_dir, tools, unique_name};
use serde_json::Value as Json;

fn repo() -> ChartRepo {
    ChartRepo::serve(&[
        &charts_dir().join("smoke"),
        &charts_dir().join("smoke-0.2.0"),
    ])
    .expect("chart repository")
}

fn workspace(
    tf: &Terraform,
    bed: &Testbed,
    repo: &ChartRepo,
    helm: &str,
    release: &str,
) -> Workspace {
    let mut ws = Workspace::new("helm_rollout", tf);
    ws.set_env(
        "TF_VAR_kubeconfig_1",
        &bed.child(1).kubeconfig().display().to_string(),
    );
    ws.set_env(
        "TF_VAR_kubeconfig_2",
        &bed.child(2).kubeconfig().display().to_string(),
    );
    ws.set_env("TF_VAR_helm", helm);
    ws.set_env("TF_VAR_repo", repo.url());
    ws.set_env("TF_VAR_release", release);
    ws.set_env("TF_VAR_ns", release);
    ws
}

/// The release in `cluster` as `helm list` shows it: (status, revision, chart version), or
/// `None` when there is no such release.
fn status(cluster: &Cluster, release: &str) -> Option<(String, u64, String)> {
    let out = cluster
        .helm([
            "list",
            "-n",
            release,
            "--filter",
            &format!("^{release}$"),
            "-a",
            "-o",
            "json",
        ])
        .expect("helm list");
    let json: Json = serde_json::from_str(&out).expect("helm list JSON");
    let entry = json.as_array()?.first()?;
    let chart = entry["chart"].as_str()?;
    Some((
        entry["status"].as_str()?.to_string(),
        entry["revision"].as_str()?.parse().ok()?,
        chart.rsplit_once('-')?.1.to_string(),
    ))
}

/// `helm get values` of the release in `cluster`.
fn values(cluster: &Cluster, release: &str) -> Json {
    let out = cluster
        .helm(["get", "values", release, "-n", release, "-o", "json"])
        .expect("helm get values");
    serde_json::from_str(&out).expect("values JSON")
}

fn configmap_data(cluster: &Cluster, release: &str) -> Json {
    let out = cluster
        .kubectl([
            "get",
            "configmap",
            &format!("{release}-config"),
            "-n",
            release,
            "-o",
            "jsonpath={.data}",
        ])
        .expect("configmap of the release");
    serde_json::from_str(&out).expect("configmap data")
}

fn plan_is_empty(ws: &Workspace, what: &str) {
    let again = ws.plan_detailed();
    if again.exit_code != Some(0) {
        let state = ws.show_json();
        let subscription = state["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["type"] == "clusternet_subscription")
            .map(|r| r["values"].clone())
            .unwrap_or_default();
        let keys: Vec<String> = preview::per_cluster(&subscription).into_keys().collect();
        panic!(
            "{what}: plan not empty:\n{}\nstate releases: {}\nstate keys: {keys:?}",
            again.all_output(),
            subscription["releases"]
        );
    }
}

#[test]
fn chart_rollout_with_per_cluster_values_upgrade_drift_and_removal() {
    let bed = Testbed::shared();
    let repo = repo();
    let tf = Terraform::v1_11();
    let release = unique_name("smoke");
    let helm = tools().helm.display().to_string();
    let mut ws = workspace(&tf, bed, &repo, &helm, &release);
    let (c1, c2) = (bed.child(1), bed.child(2));

    // 1. The plan shows the chart, values and templated objects as c1 and c2 share them,
    // and c2's own values (its Localization) as its deviations.
    let plan = ws.plan().expect_success();
    let text = squashed(&plan.stdout);
    for cluster in ["", "c2/"] {
        assert!(
            text.contains(&format!(
                "\"{cluster}helm/default/{release}\" = jsonencode("
            )),
            "chart entry {cluster} missing:\n{}",
            plan.stdout
        );
        assert!(
            text.contains(&format!(
                "\"{cluster}helm/{release}/v1/ConfigMap/{release}/{release}-config\" = jsonencode("
            )),
            "templated ConfigMap {cluster} missing:\n{}",
            plan.stdout
        );
    }
    assert!(text.contains("hello everywhere"), "{}", plan.stdout);
    assert!(text.contains("hallo c2"), "{}", plan.stdout);
    // The chart's Secret is templated too, its value never shown.
    assert!(
        text.contains(&format!(
            "\"helm/{release}/v1/Secret/{release}/{release}-secret\""
        )),
        "{}",
        plan.stdout
    );
    assert!(!text.contains("not-a-real-secret"), "{}", plan.stdout);

    ws.apply().expect_success();
    assert_eq!(
        values(c1, &release),
        serde_json::json!({"greeting": "hello everywhere", "size": "s"})
    );
    assert_eq!(
        values(c2, &release),
        serde_json::json!({"greeting": "hallo c2", "size": "l"})
    );
    assert_eq!(configmap_data(c2, &release)["greeting"], "hallo c2");
    for c in [c1, c2] {
        assert_eq!(
            status(c, &release),
            Some(("deployed".into(), 1, "0.1.0".into()))
        );
    }
    let state = ws.show_json();
    let releases = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "clusternet_subscription")
        .map(|r| r["values"]["releases"].clone())
        .unwrap();
    assert_eq!(releases[format!("c1/{release}/{release}")], "deployed/1");
    plan_is_empty(&ws, "after the first apply");

    // 2. A version bump shows the template diff and upgrades both releases.
    ws.set_env("TF_VAR_chart_version", "0.2.0");
    let plan = ws.plan().expect_success();
    let text = squashed(&plan.stdout);
    assert!(text.contains("chartVersion"), "{}", plan.stdout);
    assert!(text.contains("\"0.1.0\" -> \"0.2.0\""), "{}", plan.stdout);
    ws.apply().expect_success();
    for c in [c1, c2] {
        assert_eq!(
            status(c, &release),
            Some(("deployed".into(), 2, "0.2.0".into()))
        );
    }
    assert_eq!(configmap_data(c1, &release)["chartVersion"], "0.2.0");
    plan_is_empty(&ws, "after the upgrade");

    // 3. A version the repository does not have: an error at plan, nothing changed.
    ws.set_env("TF_VAR_chart_version", "9.9.9");
    let failed = ws.plan().expect_failure();
    let output = failed.all_output();
    assert!(output.contains("Chart cannot be installed"), "{output}");
    assert!(output.contains("9.9.9"), "{output}");
    assert!(output.contains("feeds"), "{output}");
    let failed = ws.apply().expect_failure();
    assert!(failed.all_output().contains("9.9.9"));
    for c in [c1, c2] {
        assert_eq!(
            status(c, &release),
            Some(("deployed".into(), 2, "0.2.0".into()))
        );
    }
    ws.set_env("TF_VAR_chart_version", "0.2.0");
    plan_is_empty(&ws, "back at 0.2.0");

    // Drift: values changed by hand in c1, the release uninstalled by hand in c2.
    c1.helm([
        "upgrade",
        &release,
        "smoke",
        "--repo",
        repo.url(),
        "--version",
        "0.2.0",
        "-n",
        &release,
        "--set",
        "greeting=edited by hand",
    ])
    .expect("hand upgrade");
    c2.helm(["uninstall", &release, "-n", &release])
        .expect("hand uninstall");
    let plan = ws.plan().expect_success();
    let text = squashed(&plan.stdout);
    assert!(text.contains("edited by hand"), "{}", plan.stdout);
    assert!(
        text.contains(&format!(
            "~ \"c2/helm/default/{release}\" = \"(absent)\" -> jsonencode("
        )),
        "{}",
        plan.stdout
    );
    ws.apply().expect_success();
    assert_eq!(values(c1, &release)["greeting"], "hello everywhere");
    assert_eq!(values(c2, &release)["greeting"], "hallo c2");
    plan_is_empty(&ws, "after drift was repaired");

    // Drift in the release's objects: a ConfigMap edited in c1, deleted in c2.
    let config = format!("{release}-config");
    c1.kubectl([
        "patch",
        "configmap",
        &config,
        "-n",
        &release,
        "--type",
        "merge",
        "-p",
        r#"{"data":{"greeting":"patched"}}"#,
    ])
    .expect("patch");
    c2.kubectl(["delete", "configmap", &config, "-n", &release])
        .expect("delete");
    let plan = ws.plan().expect_success();
    let text = squashed(&plan.stdout);
    assert!(
        text.contains("greeting = \"patched\" -> \"hello everywhere\""),
        "{}",
        plan.stdout
    );
    assert!(
        text.contains(&format!(
            "~ \"c2/helm/{release}/v1/ConfigMap/{release}/{config}\" = \"(absent)\" -> jsonencode("
        )),
        "{}",
        plan.stdout
    );
    ws.apply().expect_success();
    assert_eq!(configmap_data(c1, &release)["greeting"], "hello everywhere");
    assert_eq!(configmap_data(c2, &release)["greeting"], "hallo c2");
    plan_is_empty(&ws, "after object drift was repaired");

    // 5. The chart leaves the subscription: both releases are uninstalled; destroy removes
    // the rest.
    ws.set_env("TF_VAR_with_chart", "false");
    ws.apply().expect_success();
    for c in [c1, c2] {
        assert_eq!(status(c, &release), None);
        assert!(
            c.kubectl([
                "get",
                "configmap",
                &format!("{release}-marker"),
                "-n",
                "default"
            ])
            .is_ok()
        );
    }
    ws.set_env("TF_VAR_with_chart", "true");
    ws.apply().expect_success();
    assert!(status(c1, &release).is_some());
    ws.destroy().expect_success();
    for c in [c1, c2] {
        assert_eq!(status(c, &release), None, "release left after destroy");
    }
}

/// Terraform 1.0.3 and helm 4: plan, apply with per-cluster values, destroy.
#[test]
fn chart_rollout_with_terraform_1_0_and_helm_4() {
    let bed = Testbed::shared();
    let repo = repo();
    let tf = Terraform::v1_0();
    let release = unique_name("smoke4");
    let helm = tools()
        .helm4
        .as_ref()
        .expect("helm 4 (install-tools helm)")
        .display()
        .to_string();
    let ws = workspace(&tf, bed, &repo, &helm, &release);
    let (c1, c2) = (bed.child(1), bed.child(2));
    let plan = ws.plan().expect_success();
    assert!(
        squashed(&plan.stdout).contains(&format!(
            "\"c2/helm/{release}/v1/ConfigMap/{release}/{release}-config\""
        )),
        "{}",
        plan.stdout
    );
    ws.apply().expect_success();
    assert_eq!(values(c1, &release)["greeting"], "hello everywhere");
    assert_eq!(values(c2, &release)["greeting"], "hallo c2");
    assert_eq!(status(c2, &release).map(|s| s.0), Some("deployed".into()));
    plan_is_empty(&ws, "terraform 1.0.3 with helm 4");
    ws.destroy().expect_success();
    for c in [c1, c2] {
        assert_eq!(status(c, &release), None);
    }
}

/// examples/helm, as its README runs it: the chart from a repository on 127.0.0.1, directory
/// targets, helm found on PATH. Apply writes each cluster's templated objects and values;
/// destroy removes them.
#[test]
fn helm_example_writes_templated_charts_to_directory_targets() {
    let example = acceptance_tests::terraform::repo_root().join("examples/helm");
    let repo = ChartRepo::serve(&[&example.join("charts/greeter")]).expect("chart repository");
    let tf = Terraform::v1_11();
    let main = std::fs::read_to_string(example.join("main.tf")).expect("examples/helm/main.tf");
    let mut ws = Workspace::from_files(&[("main.tf", &main)], &tf);
    ws.set_env("TF_VAR_repo", repo.url());
    let helm_dir = tools()
        .helm
        .parent()
        .expect("helm's directory")
        .display()
        .to_string();
    let path = std::env::var("PATH").unwrap_or_default();
    ws.set_env("PATH", &format!("{helm_dir}:{path}"));

    let plan = ws.plan().expect_success();
    let text = squashed(&plan.stdout);
    assert!(
        text.contains("\"us-1/helm/greeter/v1/ConfigMap/greeter/greeter\""),
        "{}",
        plan.stdout
    );
    assert!(text.contains("howdy"), "{}", plan.stdout);
    ws.apply().expect_success();
    let chart_dir = |cluster: &str| {
        ws.path()
            .join("rendered")
            .join(cluster)
            .join("default.greeter/helm/greeter.greeter")
    };
    let values = |cluster: &str| -> Json {
        let text = std::fs::read_to_string(chart_dir(cluster).join("values.json"))
            .unwrap_or_else(|e| panic!("values of {cluster}: {e}"));
        serde_json::from_str(&text).expect("values JSON")
    };
    assert_eq!(
        values("eu-1"),
        serde_json::json!({"greeting": "hello", "region": "eu"})
    );
    assert_eq!(
        values("us-1"),
        serde_json::json!({"greeting": "howdy", "region": "us"})
    );
    let files: Vec<String> = std::fs::read_dir(chart_dir("us-1"))
        .expect("chart directory")
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.contains("howdy") && f.contains("kind: ConfigMap")),
        "{files:?}"
    );
    assert_eq!(ws.outputs()["releases"]["eu-1/greeter/greeter"], "written");
    plan_is_empty(&ws, "examples/helm after apply");

    // Drift in the files: an edited object file and values.json in us-1, eu-1's chart
    // directory deleted. The plan shows each as a diff; apply writes the files again.
    let config_map = std::fs::read_dir(chart_dir("us-1"))
        .expect("chart directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("kind: ConfigMap")))
        .expect("the ConfigMap's file");
    let original = std::fs::read_to_string(&config_map).unwrap();
    std::fs::write(&config_map, original.replace("howdy", "hijacked")).unwrap();
    std::fs::write(
        chart_dir("us-1").join("values.json"),
        r#"{"greeting": "edited", "region": "us"}"#,
    )
    .unwrap();
    std::fs::remove_dir_all(chart_dir("eu-1")).unwrap();
    let drift = ws.plan_detailed();
    assert_eq!(drift.exit_code, Some(2), "{}", drift.all_output());
    let text = squashed(&drift.stdout);
    for shown in [
        "hijacked",
        "edited",
        "helm/greeter/v1/ConfigMap/greeter/greeter\"",
    ] {
        assert!(
            text.contains(shown),
            "{shown} not in the plan: {}",
            drift.stdout
        );
    }
    ws.apply().expect_success();
    assert_eq!(std::fs::read_to_string(&config_map).unwrap(), original);
    assert_eq!(
        values("us-1"),
        serde_json::json!({"greeting": "howdy", "region": "us"})
    );
    assert!(chart_dir("eu-1").join("values.json").exists());
    plan_is_empty(&ws, "examples/helm after the drift was repaired");
    ws.destroy().expect_success();
    assert!(
        !chart_dir("eu-1").exists(),
        "chart files left after destroy"
    );
}

/// A release left `pending-install` in c1 (a helm install killed during its `--wait`) shows in
/// the next plan, and the next apply recovers it: uninstalled and installed anew, deployed.
#[test]
fn a_release_left_pending_install_is_recovered_by_the_next_apply() {
    let bed = Testbed::shared();
    let repo = ChartRepo::serve(&[&charts_dir().join("smoke"), &charts_dir().join("stuck")])
        .expect("chart repository");
    let tf = Terraform::v1_11();
    let release = unique_name("pending");
    let helm = tools().helm.display().to_string();
    let ws = workspace(&tf, bed, &repo, &helm, &release);
    let c1 = bed.child(1);
    ws.apply().expect_success();
    c1.helm(["uninstall", &release, "-n", &release])
        .expect("uninstall");

    // An install that hangs in --wait, killed once helm has recorded it as pending-install.
    let mut hanging = c1
        .helm_command()
        .args(["install", &release, "stuck", "--repo", repo.url()])
        .args(["-n", &release, "--wait", "--timeout", "10m"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("helm install");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while status(c1, &release).map(|s| s.0) != Some("pending-install".into()) {
        assert!(
            std::time::Instant::now() < deadline,
            "never pending-install"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    hanging.kill().expect("kill helm");
    let _ = hanging.wait();
    assert_eq!(
        status(c1, &release).map(|s| s.0),
        Some("pending-install".into())
    );

    let plan = ws.plan().expect_success();
    assert!(
        squashed(&plan.stdout).contains(&format!(
            "\"c1/{release}/{release}\" = \"pending-install/1\" -> (known after apply)"
        )),
        "{}",
        plan.stdout
    );
    ws.apply().expect_success();
    assert_eq!(
        status(c1, &release),
        Some(("deployed".into(), 1, "0.1.0".into()))
    );
    assert_eq!(values(c1, &release)["greeting"], "hello everywhere");
    plan_is_empty(&ws, "after the recovery");
    ws.destroy().expect_success();
}

/// A directory-target configuration with one chart from `repo` (chart `chart`).
fn chart_config(repo: &str, chart: &str, helm: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  helm_binary = "{helm}"
  clusters = {{
    "eu-1" = {{ labels = {{ env = "prod" }}, directory = "${{path.module}}/rendered/eu-1" }}
  }}
}}

resource "clusternet_helm_chart" "app" {{
  name             = "app"
  repo             = "{repo}"
  chart            = "{chart}"
  version          = "0.1.0"
  target_namespace = "app"
}}

resource "clusternet_subscription" "app" {{
  name = "app"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [clusternet_helm_chart.app.feed]
}}
"#
    )
}

/// Bad chart input at plan: a repository URL of the wrong scheme is an error on `repo`; a
/// chart the repository does not have is an error on `feeds[0]`; a repository that cannot be
/// reached leaves the templated objects out with a warning, and the plan still shows the chart.
#[test]
fn bad_chart_input_is_diagnosed_at_plan() {
    let repo = repo();
    let tf = Terraform::v1_11();
    let helm = tools().helm.display().to_string();

    let ws = Workspace::from_files(
        &[(
            "main.tf",
            &chart_config("ftp://127.0.0.1/charts", "smoke", &helm),
        )],
        &tf,
    );
    let output = ws.plan().expect_failure().all_output();
    assert!(output.contains("Invalid chart repository"), "{output}");
    assert!(
        output.contains("repo ="),
        "the repo line is shown:\n{output}"
    );

    let ws = Workspace::from_files(
        &[("main.tf", &chart_config(repo.url(), "no-such-chart", &helm))],
        &tf,
    );
    let output = ws.plan().expect_failure().all_output();
    assert!(output.contains("Chart cannot be installed"), "{output}");
    assert!(output.contains("no-such-chart"), "{output}");
    assert!(
        output.contains("feeds ="),
        "the feeds line is shown:\n{output}"
    );

    // Nothing listens on port 1 of the loopback.
    let ws = Workspace::from_files(
        &[(
            "main.tf",
            &chart_config("http://127.0.0.1:1", "smoke", &helm),
        )],
        &tf,
    );
    let plan = ws.plan().expect_success();
    let output = plan.all_output();
    assert!(
        output.contains("Chart not templated: repository unavailable"),
        "{output}"
    );
    let text = squashed(&plan.stdout);
    assert!(text.contains("\"helm/default/app\""), "{output}");
    assert!(!text.contains("helm/app/v1/"), "{output}");
}

/// `chart_pull_secret`: a private chart repository (HTTP basic auth), its credentials in a
/// Secret on the hub. Plan templates the chart and apply installs it with them; no output
/// shows the password. Without a hub the same chart is an error naming the Secret.
#[test]
fn chart_pull_secret_credentials_come_from_the_hub() {
    const PASSWORD: &str = "s3cret-pa55";
    let bed = Testbed::shared();
    let hub = bed.hub();
    hub.install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    // `Basic` + base64 of "robot:s3cret-pa55".
    let repo = ChartRepo::serve_private(
        &[&charts_dir().join("smoke")],
        "Basic cm9ib3Q6czNjcmV0LXBhNTU=",
    )
    .expect("private chart repository");
    let release = unique_name("private");
    let _ = hub.kubectl(["create", "namespace", &release]);
    hub.kubectl([
        "create",
        "secret",
        "generic",
        "repo-credentials",
        "-n",
        &release,
        "--from-literal=username=robot",
        &format!("--from-literal=password={PASSWORD}"),
    ])
    .expect("pull secret on the hub");
    let helm = tools().helm.display().to_string();
    let main = |with_hub: bool| {
        let hub_line = if with_hub {
            format!(
                "hub = {{ kubeconfig_path = \"{}\", context = \"hub\" }}",
                hub.kubeconfig().display()
            )
        } else {
            String::new()
        };
        format!(
            r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  helm_binary = "{helm}"
  {hub_line}
  clusters = {{
    "c1" = {{ labels = {{ env = "prod" }}, kubeconfig_path = "{kubeconfig}", context = "child-1" }}
  }}
}}

resource "clusternet_helm_chart" "private" {{
  name             = "{release}"
  repo             = "{repo}"
  chart            = "smoke"
  version          = "0.1.0"
  target_namespace = "{release}"
  chart_pull_secret {{
    name      = "repo-credentials"
    namespace = "{release}"
  }}
}}

resource "clusternet_subscription" "private" {{
  name      = "{release}"
  namespace = "{release}"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [clusternet_helm_chart.private.feed]
}}
"#,
            kubeconfig = bed.child(1).kubeconfig().display(),
            repo = repo.url(),
        )
    };
    let tf = Terraform::v1_11();

    let without_hub = Workspace::from_files(&[("main.tf", &main(false))], &tf);
    let failed = without_hub.apply().expect_failure().all_output();
    assert!(failed.contains("repo-credentials"), "{failed}");
    assert!(failed.contains("no hub is configured"), "{failed}");
    assert_eq!(status(bed.child(1), &release), None);

    let ws = Workspace::from_files(&[("main.tf", &main(true))], &tf);
    let plan = ws.plan().expect_success();
    assert!(
        squashed(&plan.stdout).contains(&format!(
            "helm/{release}/v1/ConfigMap/{release}/{release}-config\""
        )),
        "templated with the credentials:\n{}",
        plan.all_output()
    );
    let applied = ws.apply().expect_success();
    assert_eq!(
        status(bed.child(1), &release),
        Some(("deployed".into(), 1, "0.1.0".into()))
    );
    for output in [plan.all_output(), applied.all_output()] {
        assert!(!output.contains(PASSWORD), "{output}");
    }
    ws.destroy().expect_success();
    assert_eq!(status(bed.child(1), &release), None);
    let _ = hub.kubectl(["delete", "namespace", &release, "--wait=false"]);
}
