//! Hub mode with deployer = "provider" on the real bed: the hub API server, with Clusternet's
//! upstream CRDs installed, accepts the Subscription, the feeds as Manifests in
//! `clusternet-reserved`, the Bases, the generated dividing Localizations, the Descriptions
//! and the user's Localization and Globalization; the children get the objects; destroy
//! leaves none of our objects on the hub. A HelmChart feed puts its HelmChart (status
//! `Found`), the Globalization of its values and one `<base>-helm` Description per bound
//! cluster on the hub while real helm installs the release in the children; removing the
//! values removes their Globalization, removing the chart or destroying removes the rest.

use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{
    ChartRepo, Cluster, Testbed, charts_dir, names_of, tools, unique_name,
};
use serde_json::{Value as Json, json};

struct Names {
    ns: String,
    cluster_ns_1: String,
    cluster_ns_2: String,
    glob: String,
}

fn workspace(tf: &Terraform, bed: &Testbed, names: &Names) -> Workspace {
    let mut ws = Workspace::new("hub_mode", tf);
    let path = |c: &Cluster| c.kubeconfig().display().to_string();
    ws.set_env("TF_VAR_kubeconfig_hub", &path(bed.hub()));
    ws.set_env("TF_VAR_kubeconfig_1", &path(bed.child(1)));
    ws.set_env("TF_VAR_kubeconfig_2", &path(bed.child(2)));
    ws.set_env("TF_VAR_ns", &names.ns);
    ws.set_env("TF_VAR_cluster_ns_1", &names.cluster_ns_1);
    ws.set_env("TF_VAR_cluster_ns_2", &names.cluster_ns_2);
    ws.set_env("TF_VAR_glob_name", &names.glob);
    ws
}

#[test]
fn hub_receives_clusternet_objects() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        let names = Names {
            ns: unique_name("hubapp"),
            cluster_ns_1: unique_name("cn-c1"),
            cluster_ns_2: unique_name("cn-c2"),
            glob: unique_name("size"),
        };
        hub_mode(&tf, bed, &names);
    }
}

fn hub_mode(tf: &Terraform, bed: &Testbed, names: &Names) {
    let v = tf.version;
    let mut ws = workspace(tf, bed, names);
    let (hub, c1, c2) = (bed.hub(), bed.child(1), bed.child(2));
    let ns = names.ns.as_str();

    let plan = ws.plan().expect_success();
    assert!(
        squashed(&plan.stdout).contains("descriptions = { + \"apps/v1/Deployment/"),
        "{v}:\n{}",
        plan.stdout
    );
    // Planning writes nothing to the hub.
    assert!(
        hub.kubectl(["get", "subscriptions", "-n", ns, "-o", "name"])
            .map_or(true, |s| s.trim().is_empty()),
        "{v}: the plan wrote to the hub"
    );
    ws.apply().expect_success();

    // Children: the objects, with the overrides.
    let color = |c: &Cluster| {
        c.kubectl([
            "get",
            "configmap",
            "settings",
            "-n",
            ns,
            "-o",
            "jsonpath={.data.color}/{.data.size}",
        ])
        .ok()
    };
    assert_eq!(color(c1).as_deref(), Some("green/m"), "{v}");
    assert_eq!(color(c2).as_deref(), Some("blue/m"), "{v}");

    // Hub: the Subscription, accepted by the upstream CRD.
    let subs = hub.items("subscriptions.apps.clusternet.io", ns);
    assert_eq!(names_of(&subs), ["app"], "{v}: {subs:?}");
    assert_eq!(
        subs[0]["spec"]["schedulingStrategy"], "Dividing",
        "{v}: {:?}",
        subs[0]
    );
    assert_eq!(
        subs[0]["spec"]["feeds"].as_array().map(Vec::len),
        Some(4),
        "{v}"
    );

    // The feeds as the shadow API stores them.
    let manifests = hub.items("manifests.apps.clusternet.io", "clusternet-reserved");
    let manifest_names = names_of(&manifests);
    for expected in [
        format!("namespaces.{ns}"),
        format!("configmaps.{ns}.settings"),
        format!("deployments.{ns}.web"),
        format!("services.{ns}.web"),
    ] {
        assert!(
            manifest_names.contains(&expected),
            "{v}: {expected} missing from {manifest_names:?}"
        );
    }
    let web = manifests
        .iter()
        .find(|m| m["metadata"]["name"] == format!("deployments.{ns}.web").as_str())
        .expect("web manifest");
    assert_eq!(
        web["metadata"]["labels"]["apps.clusternet.io/config.kind"], "Deployment",
        "{v}: {web}"
    );
    assert_eq!(web["template"]["spec"]["replicas"], 6, "{v}: {web}");
    assert_eq!(
        web["template"]["metadata"]["labels"]["clusternet.io/created-by"], "clusternet-hub",
        "{v}: {web}"
    );

    // Per cluster: a Base, its Generic Description, a dividing Localization (2 and 4).
    for (cluster_ns, replicas) in [(&names.cluster_ns_1, 2), (&names.cluster_ns_2, 4)] {
        let bases = hub.items("bases.apps.clusternet.io", cluster_ns);
        assert_eq!(bases.len(), 1, "{v}: {bases:?}");
        assert_eq!(
            bases[0]["metadata"]["labels"]["apps.clusternet.io/subs.name"], "app",
            "{v}: {:?}",
            bases[0]
        );
        let descriptions = hub.items("descriptions.apps.clusternet.io", cluster_ns);
        assert_eq!(descriptions.len(), 1, "{v}: {descriptions:?}");
        let d = &descriptions[0];
        assert_eq!(d["spec"]["deployer"], "Generic", "{v}: {d}");
        assert_eq!(
            d["spec"]["raw"].as_array().map(Vec::len),
            Some(4),
            "{v}: {d}"
        );
        assert_eq!(
            d["metadata"]["ownerReferences"][0]["uid"], bases[0]["metadata"]["uid"],
            "{v}: the Description's owner is the live Base"
        );
        let localizations = hub.items("localizations.apps.clusternet.io", cluster_ns);
        let dividing: Vec<&Json> = localizations
            .iter()
            .filter(|l| l["spec"]["priority"] == 1000)
            .collect();
        assert_eq!(dividing.len(), 1, "{v}: {localizations:?}");
        let patch = dividing[0]["spec"]["overrides"][0]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(
            patch.contains(&format!("\"value\":{replicas}")),
            "{v}: {patch}"
        );
    }
    // The user's overrides.
    let user_loc = hub.items("localizations.apps.clusternet.io", &names.cluster_ns_1);
    assert!(
        names_of(&user_loc).contains(&"eu-color".to_string()),
        "{v}: {user_loc:?}"
    );
    assert!(
        hub.kubectl(["get", "globalizations.apps.clusternet.io", &names.glob])
            .is_ok(),
        "{v}: globalization missing"
    );

    // Nothing left to do.
    let again = ws.plan_detailed();
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: second plan not empty:\n{}",
        again.all_output()
    );
    another_configuration_passes_the_override_by_handle(tf, bed, names);

    // c2 leaves the selection: its objects go from the child and its Base, Description and
    // dividing Localization from the hub.
    ws.set_env("TF_VAR_c2_region", "elsewhere");
    ws.apply().expect_success();
    assert!(
        c2.kubectl(["get", "configmap", "settings", "-n", ns])
            .is_err(),
        "{v}: child-2 still has the configmap"
    );
    for kind in [
        "bases.apps.clusternet.io",
        "descriptions.apps.clusternet.io",
        "localizations.apps.clusternet.io",
    ] {
        let left = hub.items(kind, &names.cluster_ns_2);
        assert!(left.is_empty(), "{v}: {kind} not pruned: {left:?}");
    }
    assert_eq!(
        hub.items("bases.apps.clusternet.io", &names.cluster_ns_1)
            .len(),
        1,
        "{v}"
    );

    ws.destroy().expect_success();
    assert!(
        c1.kubectl(["get", "configmap", "settings", "-n", ns])
            .is_err(),
        "{v}: child-1 still has the configmap"
    );
    assert!(
        hub.items("subscriptions.apps.clusternet.io", ns).is_empty(),
        "{v}: subscription left on the hub"
    );
    for cluster_ns in [&names.cluster_ns_1, &names.cluster_ns_2] {
        for kind in [
            "bases.apps.clusternet.io",
            "descriptions.apps.clusternet.io",
            "localizations.apps.clusternet.io",
        ] {
            let left = hub.items(kind, cluster_ns);
            assert!(
                left.is_empty(),
                "{v}: {kind} left in {cluster_ns}: {left:?}"
            );
        }
    }
    let left: Vec<String> =
        names_of(&hub.items("manifests.apps.clusternet.io", "clusternet-reserved"))
            .into_iter()
            .filter(|n| n.contains(ns))
            .collect();
    assert!(left.is_empty(), "{v}: Manifests left: {left:?}");
    assert!(
        hub.kubectl(["get", "globalizations.apps.clusternet.io", &names.glob])
            .is_err(),
        "{v}: globalization left on the hub"
    );
    // The namespaces the provider created for the test's names are the test's to remove.
    for n in [ns, &names.cluster_ns_1, &names.cluster_ns_2] {
        let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
    }
}

/// A hub without Clusternet's CRDs (child-2's API server, which has none): apply names the
/// missing CRD and how to install it, the child is still deployed. The create failed (on the
/// hub), so it records no state (issue 12 point 1, ADR 0009): the next apply adopts what the
/// child has, and until then the child's objects are found by the subscription's labels.
/// Another configuration, on the same hub, passes the Localization the first one manages by
/// its handle: the provider reads the object from the hub (ADR 0030), and the plan shows
/// its effect on c1 only.
fn another_configuration_passes_the_override_by_handle(
    tf: &Terraform,
    bed: &Testbed,
    names: &Names,
) {
    let v = tf.version;
    let scenario = std::fs::read_to_string(
        acceptance_tests::terraform::repo_root()
            .join("acceptance-tests/scenarios/hub_mode/main.tf"),
    )
    .expect("scenario");
    let provider_part = &scenario[..scenario
        .find("resource \"clusternet_manifest\"")
        .expect("resources")];
    let main = format!(
        "{provider_part}\nresource \"clusternet_subscription\" \"other\" {{\n  name      = \"other\"\n  namespace = var.ns\n  feeds     = [\"v1/ConfigMap/${{var.ns}}/settings\"]\n  overrides = [\"Localization/${{var.cluster_ns_1}}/eu-color\"]\n  subscriber {{\n    cluster_affinity {{\n      match_labels = {{ env = \"prod\" }}\n    }}\n  }}\n}}\n"
    );
    let mut other = Workspace::from_files(&[("main.tf", &main)], tf);
    let path = |c: &Cluster| c.kubeconfig().display().to_string();
    other.set_env("TF_VAR_kubeconfig_hub", &path(bed.hub()));
    other.set_env("TF_VAR_kubeconfig_1", &path(bed.child(1)));
    other.set_env("TF_VAR_kubeconfig_2", &path(bed.child(2)));
    other.set_env("TF_VAR_ns", &names.ns);
    other.set_env("TF_VAR_cluster_ns_1", &names.cluster_ns_1);
    other.set_env("TF_VAR_cluster_ns_2", &names.cluster_ns_2);
    other.set_env("TF_VAR_glob_name", &names.glob);
    let plan = squashed(&other.plan().expect_success().stdout);
    let handle = format!("+ \"Localization/{}/eu-color\"", names.cluster_ns_1);
    assert!(plan.contains(&handle), "{v}: the handle shows:\n{plan}");
    // Two clusters, two renderings: the first by name is shared, the other its deviation.
    assert!(
        plan.contains("color = \"green\"") && plan.contains("\"c2/v1/ConfigMap/"),
        "{v}: c1 gets the hub's Localization, c2 deviates:\n{plan}"
    );
}

#[test]
fn hub_without_clusternet_crds_is_a_clear_error() {
    let bed = Testbed::shared();
    let tf = Terraform::v1_11();
    let ns = unique_name("nocrd");
    let hub = bed.child(2);
    if hub
        .kubectl(["get", "crd", "subscriptions.apps.clusternet.io"])
        .is_ok()
    {
        return; // Someone installed them there; nothing to test.
    }
    let config = format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}
provider "clusternet" {{
  hub      = {{ kubeconfig_path = "{hub}", context = "child-2" }}
  clusters = {{ "c1" = {{ kubeconfig_path = "{c1}", context = "child-1" }} }}
}}
resource "clusternet_manifest" "ns" {{
  manifest = yamlencode({{ apiVersion = "v1", kind = "Namespace", metadata = {{ name = "{ns}" }} }})
}}
resource "clusternet_subscription" "app" {{
  name      = "app"
  namespace = "{ns}"
  subscriber {{
    cluster_affinity {{}}
  }}
  feeds = [clusternet_manifest.ns.feed]
}}
"#,
        hub = hub.kubeconfig().display(),
        c1 = bed.child(1).kubeconfig().display(),
    );
    let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
    ws.plan().expect_success();
    let failed = ws.apply().expect_failure();
    let output = failed.all_output();
    let squashed = output.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squashed.contains("Clusternet CRD subscriptions.apps.clusternet.io is not installed"),
        "{output}"
    );
    assert!(squashed.contains("manifests/crds"), "{output}");
    assert!(
        bed.child(1).kubectl(["get", "namespace", &ns]).is_ok(),
        "the child was not deployed"
    );
    assert!(
        squashed.contains("Subscription not recorded in state"),
        "{output}"
    );
    let listed = ws.run(&["state", "list"]).expect_success().stdout;
    assert!(
        !listed.contains("clusternet_subscription"),
        "a failed create records no state:\n{listed}"
    );
    ws.destroy().expect_success();
    // What the failed create deployed carries the subscription's labels.
    let labelled = bed
        .child(1)
        .kubectl([
            "get",
            "namespace",
            "-l",
            "apps.clusternet.io/subs.name",
            "-o",
            "name",
        ])
        .unwrap_or_default();
    assert!(labelled.contains(&ns), "{labelled}");
    bed.child(1)
        .kubectl(["delete", "namespace", &ns, "--wait=false"])
        .expect("clean up by hand");
    assert!(
        wait_gone(bed.child(1), &ns),
        "namespace {ns} left in child-1"
    );
}

fn wait_gone(cluster: &Cluster, ns: &str) -> bool {
    acceptance_tests::testbed::wait_until(std::time::Duration::from_secs(30), || {
        cluster
            .kubectl(["get", "namespace", ns, "-o", "jsonpath={.status.phase}"])
            .map_or(true, |phase| phase == "Terminating")
    })
}

/// Names of one run of the chart scenario.
struct ChartNames {
    ns: String,
    release: String,
    cluster_ns_1: String,
    cluster_ns_2: String,
}

fn chart_workspace(
    tf: &Terraform,
    bed: &Testbed,
    repo: &ChartRepo,
    names: &ChartNames,
) -> Workspace {
    let mut ws = Workspace::new("hub_helm", tf);
    let path = |c: &Cluster| c.kubeconfig().display().to_string();
    ws.set_env("TF_VAR_kubeconfig_hub", &path(bed.hub()));
    ws.set_env("TF_VAR_kubeconfig_1", &path(bed.child(1)));
    ws.set_env("TF_VAR_kubeconfig_2", &path(bed.child(2)));
    ws.set_env("TF_VAR_cluster_ns_1", &names.cluster_ns_1);
    ws.set_env("TF_VAR_cluster_ns_2", &names.cluster_ns_2);
    ws.set_env("TF_VAR_helm", &tools().helm.display().to_string());
    ws.set_env("TF_VAR_repo", repo.url());
    ws.set_env("TF_VAR_release", &names.release);
    ws.set_env("TF_VAR_ns", &names.ns);
    ws
}

/// `kubectl get helmcharts,descriptions -A -o json` on the hub: the HelmCharts in `ns` and
/// the Descriptions in `cluster_ns`.
fn hub_chart_objects(hub: &Cluster, ns: &str, cluster_ns: &str) -> (Vec<Json>, Vec<Json>) {
    let list = hub
        .get_json([
            "helmcharts.apps.clusternet.io,descriptions.apps.clusternet.io",
            "-A",
        ])
        .expect("kubectl get helmcharts,descriptions -A");
    let all = list["items"].as_array().cloned().unwrap_or_default();
    let of = |kind: &str, namespace: &str| -> Vec<Json> {
        all.iter()
            .filter(|i| i["kind"] == kind && i["metadata"]["namespace"] == namespace)
            .cloned()
            .collect()
    };
    (of("HelmChart", ns), of("Description", cluster_ns))
}

/// The HelmReleases on the hub in `cluster_ns`.
fn hub_helm_releases(hub: &Cluster, cluster_ns: &str) -> Vec<Json> {
    hub.items("helmreleases.apps.clusternet.io", cluster_ns)
}

/// The release's (status, revision) in `cluster` as `helm status` shows it.
fn helm_status(cluster: &Cluster, release: &str) -> (String, u64) {
    let out = cluster
        .helm(["status", release, "-n", release, "-o", "json"])
        .expect("helm status");
    let status: Json = serde_json::from_str(&out).expect("helm status JSON");
    (
        status["info"]["status"]
            .as_str()
            .expect("info.status")
            .to_string(),
        status["version"].as_u64().expect("version"),
    )
}

/// A `[]byte` field of a Description (base64 in JSON) parsed as JSON.
fn decoded(field: &Json) -> Json {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(field.as_str().expect("a base64 string"))
        .expect("base64");
    serde_json::from_slice(&bytes).expect("JSON bytes")
}

/// The release's (status, chart version) in `cluster` as `helm list` shows it.
fn release(cluster: &Cluster, release: &str) -> Option<(String, String)> {
    let out = cluster
        .helm(["list", "-n", release, "-a", "-o", "json"])
        .expect("helm list");
    let list: Json = serde_json::from_str(&out).expect("helm list JSON");
    let entry = list
        .as_array()?
        .iter()
        .find(|r| r["name"] == release)?
        .clone();
    Some((
        entry["status"].as_str()?.to_string(),
        entry["chart"].as_str()?.rsplit_once('-')?.1.to_string(),
    ))
}

#[test]
fn hub_receives_helm_charts_and_helm_descriptions() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    let repo = ChartRepo::serve(&[&charts_dir().join("smoke")]).expect("chart repository");
    for tf in Terraform::all() {
        let names = ChartNames {
            ns: unique_name("hubhelm"),
            release: unique_name("hubchart"),
            cluster_ns_1: unique_name("cn-c1"),
            cluster_ns_2: unique_name("cn-c2"),
        };
        hub_helm(&tf, bed, &repo, &names);
    }
}

/// The Globalization holding the chart's values, if the hub has it.
fn chart_values(hub: &Cluster, names: &ChartNames) -> Option<Json> {
    let name = format!("{}-{}-default-values", names.ns, names.release);
    hub.get_json(["globalizations.apps.clusternet.io", &name])
        .ok()
}

/// Checks the hub's HelmChart, `-helm` Descriptions and HelmReleases after an apply with the
/// chart.
fn assert_hub_has_the_chart(v: &str, bed: &Testbed, names: &ChartNames) {
    let hub = bed.hub();
    let (ns, release) = (names.ns.as_str(), names.release.as_str());
    for (cluster_ns, child, values) in [
        (
            &names.cluster_ns_1,
            bed.child(1),
            json!({"greeting": "chart default", "size": "s"}),
        ),
        (
            &names.cluster_ns_2,
            bed.child(2),
            json!({"greeting": "hallo c2", "size": "s"}),
        ),
    ] {
        let (charts, descriptions) = hub_chart_objects(hub, ns, cluster_ns);
        assert_eq!(charts.len(), 1, "{v}: {charts:?}");
        let chart = &charts[0];
        assert_eq!(chart["metadata"]["name"], release, "{v}: {chart}");
        assert_eq!(
            chart["metadata"]["labels"]["apps.clusternet.io/config.kind"], "HelmChart",
            "{v}: {chart}"
        );
        assert_eq!(
            chart["metadata"]["labels"]["apps.clusternet.io/config.name"], release,
            "{v}: {chart}"
        );
        let spec = &chart["spec"];
        assert_eq!(spec["chart"], "smoke", "{v}: {chart}");
        assert_eq!(spec["version"], "0.1.0", "{v}: {chart}");
        assert_eq!(spec["targetNamespace"], release, "{v}: {chart}");
        assert_eq!(spec["timeoutSeconds"], 60, "{v}: {chart}");
        assert_eq!(spec["atomic"], true, "{v}: {chart}");
        assert_eq!(chart["status"]["phase"], "Found", "{v}: {chart}");
        // The chart's `values`, as the priority-0 Globalization they are in Clusternet terms.
        let values_glob = chart_values(hub, names).expect("the values Globalization");
        assert_eq!(values_glob["spec"]["priority"], 0, "{v}: {values_glob}");
        assert_eq!(
            values_glob["spec"]["feed"],
            json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "HelmChart",
                   "namespace": ns, "name": release}),
            "{v}: {values_glob}"
        );
        let value: Json = serde_json::from_str(
            values_glob["spec"]["overrides"][0]["value"]
                .as_str()
                .unwrap_or_default(),
        )
        .expect("JSON values");
        assert_eq!(
            value,
            json!({"greeting": "chart default", "size": "s"}),
            "{v}"
        );

        let mut names_found: Vec<String> = names_of(&descriptions);
        names_found.sort();
        assert_eq!(names_found.len(), 2, "{v}: {names_found:?}");
        assert!(names_found[0].ends_with("-generic"), "{v}: {names_found:?}");
        assert!(names_found[1].ends_with("-helm"), "{v}: {names_found:?}");
        let helm = descriptions
            .iter()
            .find(|d| d["spec"]["deployer"] == "Helm")
            .expect("a Helm Description");
        assert_eq!(
            helm["spec"]["charts"],
            json!([{"namespace": ns, "name": release}]),
            "{v}: {helm}"
        );
        let raw = helm["spec"]["raw"].as_array().expect("raw");
        assert_eq!(raw.len(), 1, "{v}: {helm}");
        assert_eq!(decoded(&raw[0]), values, "{v}: values in {cluster_ns}");
        let chart_raw = helm["spec"]["chartRaw"].as_array().expect("chartRaw");
        assert_eq!(chart_raw.len(), 1, "{v}: {helm}");
        let rendered = decoded(&chart_raw[0]);
        assert_eq!(rendered["metadata"]["name"], release, "{v}: {rendered}");
        assert_eq!(rendered["spec"]["chart"], "smoke", "{v}: {rendered}");
        assert_eq!(rendered["spec"]["repo"], spec["repo"], "{v}: {rendered}");
        assert!(rendered.get("status").is_none(), "{v}: {rendered}");
        let generic = descriptions
            .iter()
            .find(|d| d["spec"]["deployer"] == "Generic")
            .expect("a Generic Description");
        assert_eq!(
            generic["spec"]["raw"].as_array().map(Vec::len),
            Some(1),
            "{v}: {generic}"
        );
        for description in &descriptions {
            assert_eq!(
                description["status"]["phase"], "Success",
                "{v}: {description}"
            );
        }

        // One HelmRelease per chart of the `-helm` Description, owned by it, mirroring the
        // release helm installed in the child.
        let releases = hub_helm_releases(hub, cluster_ns);
        assert_eq!(releases.len(), 1, "{v}: {releases:?}");
        let hub_release = &releases[0];
        let helm_name = helm["metadata"]["name"].as_str().expect("a name");
        assert_eq!(
            hub_release["metadata"]["name"],
            format!("{helm_name}-{ns}-{release}"),
            "{v}: {hub_release}"
        );
        let labels = &hub_release["metadata"]["labels"];
        assert_eq!(labels["apps.clusternet.io/config.kind"], "Description");
        assert_eq!(labels["apps.clusternet.io/config.name"], helm_name);
        assert_eq!(
            labels["apps.clusternet.io/config.uid"], helm["metadata"]["uid"],
            "{v}: {hub_release}"
        );
        assert_eq!(
            hub_release["metadata"]["ownerReferences"][0]["uid"], helm["metadata"]["uid"],
            "{v}: {hub_release}"
        );
        let release_spec = &hub_release["spec"];
        assert_eq!(release_spec["releaseName"], release, "{v}: {hub_release}");
        assert_eq!(
            release_spec["targetNamespace"], release,
            "{v}: {hub_release}"
        );
        assert_eq!(release_spec["chart"], "smoke", "{v}: {hub_release}");
        assert_eq!(release_spec["version"], "0.1.0", "{v}: {hub_release}");
        assert_eq!(release_spec["atomic"], true, "{v}: {hub_release}");
        assert_eq!(
            decoded(&release_spec["overrides"]),
            values,
            "{v}: overrides in {cluster_ns}"
        );
        let (status, revision) = helm_status(child, release);
        assert_eq!(hub_release["status"]["phase"], status, "{v}: {hub_release}");
        assert_eq!(
            hub_release["status"]["version"], revision,
            "{v}: {hub_release}"
        );
    }
}

fn hub_helm(tf: &Terraform, bed: &Testbed, repo: &ChartRepo, names: &ChartNames) {
    let v = tf.version;
    let mut ws = chart_workspace(tf, bed, repo, names);
    let (hub, c1, c2) = (bed.hub(), bed.child(1), bed.child(2));
    let (ns, release_name) = (names.ns.as_str(), names.release.as_str());

    ws.plan().expect_success();
    assert!(
        hub_chart_objects(hub, ns, &names.cluster_ns_1).0.is_empty(),
        "{v}: the plan wrote a HelmChart to the hub"
    );
    ws.apply().expect_success();
    assert_hub_has_the_chart(v, bed, names);
    for c in [c1, c2] {
        assert_eq!(
            release(c, release_name),
            Some(("deployed".into(), "0.1.0".into())),
            "{v}"
        );
    }
    let again = ws.plan_detailed();
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: second plan not empty (the hub's HelmChart changed the plan?):\n{}",
        again.all_output()
    );
    import_chart_rollout(tf, bed, repo, names);

    // The chart's values go: so does their Globalization on the hub, and the hub copy read
    // by the next run's snapshot does not bring them back.
    ws.set_env("TF_VAR_with_values", "false");
    ws.apply().expect_success();
    assert_eq!(
        chart_values(hub, names),
        None,
        "{v}: values Globalization left"
    );
    let out = c2
        .helm([
            "get",
            "values",
            release_name,
            "-n",
            release_name,
            "-o",
            "json",
        ])
        .expect("helm get values");
    assert_eq!(
        serde_json::from_str::<Json>(&out).expect("values JSON"),
        json!({"greeting": "hallo c2"}),
        "{v}: c2's values"
    );
    // The upgrades show on the hub: each HelmRelease has the new revision helm reports.
    for (cluster_ns, child) in [(&names.cluster_ns_1, c1), (&names.cluster_ns_2, c2)] {
        let releases = hub_helm_releases(hub, cluster_ns);
        assert_eq!(releases.len(), 1, "{v}: {releases:?}");
        let (status, revision) = helm_status(child, release_name);
        assert_eq!(
            releases[0]["status"],
            json!({"phase": status, "version": revision}),
            "{v}: {cluster_ns}"
        );
    }
    let again = ws.plan_detailed();
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: plan not empty after the values left:\n{}",
        again.all_output()
    );
    ws.set_env("TF_VAR_with_values", "true");

    // The chart leaves the subscription: its HelmChart and the `-helm` Descriptions leave
    // the hub, the releases the children; the `-generic` Descriptions stay.
    ws.set_env("TF_VAR_with_chart", "false");
    ws.apply().expect_success();
    for cluster_ns in [&names.cluster_ns_1, &names.cluster_ns_2] {
        let (charts, descriptions) = hub_chart_objects(hub, ns, cluster_ns);
        assert!(charts.is_empty(), "{v}: HelmChart left: {charts:?}");
        assert_eq!(
            chart_values(hub, names),
            None,
            "{v}: values Globalization left"
        );
        let deployers: Vec<&Json> = descriptions
            .iter()
            .map(|d| &d["spec"]["deployer"])
            .collect();
        assert_eq!(deployers, [&json!("Generic")], "{v}: {descriptions:?}");
        assert_eq!(
            descriptions[0]["status"]["phase"], "Success",
            "{v}: {descriptions:?}"
        );
        let releases = hub_helm_releases(hub, cluster_ns);
        assert!(releases.is_empty(), "{v}: HelmReleases left: {releases:?}");
    }
    for c in [c1, c2] {
        assert_eq!(release(c, release_name), None, "{v}: release left");
    }

    // Back again, then destroy: nothing of it is left on the hub or in the children.
    ws.set_env("TF_VAR_with_chart", "true");
    ws.apply().expect_success();
    assert_hub_has_the_chart(v, bed, names);
    ws.destroy().expect_success();
    for cluster_ns in [&names.cluster_ns_1, &names.cluster_ns_2] {
        let (charts, descriptions) = hub_chart_objects(hub, ns, cluster_ns);
        assert!(charts.is_empty(), "{v}: HelmChart left: {charts:?}");
        assert!(
            descriptions.is_empty(),
            "{v}: Descriptions left in {cluster_ns}: {descriptions:?}"
        );
        let releases = hub_helm_releases(hub, cluster_ns);
        assert!(releases.is_empty(), "{v}: HelmReleases left: {releases:?}");
    }
    assert_eq!(
        chart_values(hub, names),
        None,
        "{v}: values Globalization left"
    );
    for c in [c1, c2] {
        assert_eq!(release(c, release_name), None, "{v}: release left");
    }
    for n in [ns, &names.cluster_ns_1, &names.cluster_ns_2] {
        let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
    }
    for c in [c1, c2] {
        let _ = c.kubectl(["delete", "namespace", release_name, "--wait=false"]);
    }
}

/// deployer = "clusternet": the chart feed reaches the hub as a HelmChart with no status (for
/// Clusternet's controller-manager to verify) and its values Globalization; nothing rendered
/// (no Bases or Descriptions) and no release in the children. A second Subscription of the
/// chart keeps both on the hub when the first drops the chart; destroy removes them.
/// The same configuration, an empty state: the chart (its values from the hub's
/// Globalization), the manifest, the Localization of the chart and the subscription are
/// imported, and the plan after it shows no changes.
fn import_chart_rollout(tf: &Terraform, bed: &Testbed, repo: &ChartRepo, names: &ChartNames) {
    let imported = chart_workspace(tf, bed, repo, names);
    let (ns, release) = (names.ns.as_str(), names.release.as_str());
    for (address, id) in [
        ("clusternet_helm_chart.smoke", format!("{ns}/{release}")),
        (
            "clusternet_manifest.marker",
            format!("v1/ConfigMap/default/{release}-marker"),
        ),
        (
            "clusternet_localization.c2",
            format!("{}/{release}-c2", names.cluster_ns_2),
        ),
        ("clusternet_subscription.app", format!("{ns}/app")),
    ] {
        imported
            .run(&["import", "-no-color", "-input=false", address, &id])
            .expect_success();
    }
    imported.expect_no_changes("the plan after importing the chart rollout");
}

#[test]
fn clusternet_deployer_writes_helm_charts_and_renders_nothing() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    let repo = ChartRepo::serve(&[&charts_dir().join("smoke")]).expect("chart repository");
    for tf in Terraform::all() {
        let v = tf.version;
        let names = ChartNames {
            ns: unique_name("cnhelm"),
            release: unique_name("cnchart"),
            cluster_ns_1: unique_name("cn-c1"),
            cluster_ns_2: unique_name("cn-c2"),
        };
        let mut ws = chart_workspace(&tf, bed, &repo, &names);
        ws.set_env("TF_VAR_deployer", "clusternet");
        ws.set_env("TF_VAR_second", "true");
        let hub = bed.hub();
        ws.apply().expect_success();
        assert_eq!(
            names_of(&hub.items("subscriptions.apps.clusternet.io", &names.ns)).len(),
            2,
            "{v}"
        );
        for cluster_ns in [&names.cluster_ns_1, &names.cluster_ns_2] {
            let (charts, descriptions) = hub_chart_objects(hub, &names.ns, cluster_ns);
            assert_eq!(names_of(&charts), [names.release.as_str()], "{v}");
            assert_eq!(charts[0]["spec"]["chart"], "smoke", "{v}: {:?}", charts[0]);
            assert_eq!(
                charts[0]["metadata"]["labels"]["apps.clusternet.io/config.kind"], "HelmChart",
                "{v}: {:?}",
                charts[0]
            );
            assert!(charts[0].get("status").is_none(), "{v}: {:?}", charts[0]);
            assert!(descriptions.is_empty(), "{v}: {descriptions:?}");
            let bases = hub.items("bases.apps.clusternet.io", cluster_ns);
            assert!(bases.is_empty(), "{v}: {bases:?}");
        }
        let values = chart_values(hub, &names).expect("the values Globalization");
        assert_eq!(values["spec"]["priority"], 0, "{v}: {values}");
        for c in [bed.child(1), bed.child(2)] {
            assert_eq!(
                release(c, &names.release),
                None,
                "{v}: a release in a child"
            );
        }
        let again = ws.plan_detailed();
        assert_eq!(again.exit_code, Some(0), "{v}:\n{}", again.all_output());

        // The first Subscription drops the chart; the second still uses it.
        ws.set_env("TF_VAR_with_chart", "false");
        ws.apply().expect_success();
        let (charts, _) = hub_chart_objects(hub, &names.ns, &names.cluster_ns_1);
        assert_eq!(
            names_of(&charts),
            [names.release.as_str()],
            "{v}: HelmChart removed"
        );
        assert!(chart_values(hub, &names).is_some(), "{v}: values removed");

        ws.destroy().expect_success();
        let (charts, _) = hub_chart_objects(hub, &names.ns, &names.cluster_ns_1);
        assert!(charts.is_empty(), "{v}: HelmChart left: {charts:?}");
        assert_eq!(
            chart_values(hub, &names),
            None,
            "{v}: values Globalization left"
        );
        for n in [&names.ns, &names.cluster_ns_1, &names.cluster_ns_2] {
            let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
        }
    }
}
