//! Smoke tests proving that the test bed is made of real parts (issue 4): real
//! server-side-apply conflicts, CRDs with schema validation, helm against the API server,
//! isolated child clusters, Clusternet's own CRDs on the hub, loopback-only listeners and a
//! `down` that leaves nothing behind.
//!
//! They use the shared bed ([`Testbed::shared`]); each test makes its own namespaces and
//! names. The lifecycle test starts and stops a second, small bed of its own.

use std::net::TcpStream;
use std::time::Duration;

use acceptance_tests::testbed::{
    ChartRepo, Testbed, charts_dir, listening_addresses, process_alive, run_checked,
    tcp_port_listening, tools, unique_name, wait_until,
};

fn configmap(namespace: &str, name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\ndata:\n  key: {value:?}\n"
    )
}

#[test]
fn server_side_apply_conflict_returns_409() {
    let hub = Testbed::shared().hub();
    let ns = hub.create_namespace("ssa").unwrap();
    let path = format!("/api/v1/namespaces/{ns}/configmaps/owned");
    let apply = "application/apply-patch+yaml";

    let (code, body) = hub
        .request(
            "PATCH",
            &format!("{path}?fieldManager=first"),
            Some(apply),
            Some(&configmap(&ns, "owned", "a")),
        )
        .unwrap();
    assert_eq!(code, 201, "first apply creates the object: {body}");

    let (code, body) = hub
        .request(
            "PATCH",
            &format!("{path}?fieldManager=second"),
            Some(apply),
            Some(&configmap(&ns, "owned", "b")),
        )
        .unwrap();
    assert_eq!(
        code, 409,
        "another manager changing an owned field conflicts: {body}"
    );
    assert!(
        body.contains("Conflict") && body.contains("first"),
        "{body}"
    );

    let (code, body) = hub
        .request(
            "PATCH",
            &format!("{path}?fieldManager=second&force=true"),
            Some(apply),
            Some(&configmap(&ns, "owned", "b")),
        )
        .unwrap();
    assert_eq!(code, 200, "force takes the field over: {body}");
    let value = hub
        .kubectl([
            "get",
            "configmap",
            "owned",
            "-n",
            &ns,
            "-o",
            "jsonpath={.data.key}",
        ])
        .unwrap();
    assert_eq!(value, "b");

    // kubectl's server-side apply sees the same conflict.
    let err = hub
        .kubectl_stdin(
            ["apply", "--server-side", "--field-manager=first", "-f", "-"],
            &configmap(&ns, "owned", "c"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("conflict"), "{err}");
}

#[test]
fn crd_and_custom_resource() {
    let bed = Testbed::shared();
    let cluster = bed.child(1);
    let group = format!("{}.testbed.example.com", unique_name("g"));
    let crd = format!(
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {{type: integer, minimum: 1}}
"#
    );
    cluster.apply_yaml(&crd).unwrap();
    cluster
        .kubectl([
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            &format!("crd/widgets.{group}"),
        ])
        .unwrap();

    let ns = cluster.create_namespace("crd").unwrap();
    let widget = |size: &str| {
        format!(
            "apiVersion: {group}/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: {ns}\nspec:\n  size: {size}\n"
        )
    };
    // Discovery of a fresh CRD can lag a moment behind Established.
    assert!(
        wait_until(Duration::from_secs(30), || cluster
            .apply_yaml(&widget("3"))
            .is_ok()),
        "{}",
        cluster.apply_yaml(&widget("3")).unwrap_err()
    );
    let size = cluster
        .kubectl([
            "get",
            &format!("widgets.{group}"),
            "w",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.size}",
        ])
        .unwrap();
    assert_eq!(size, "3");

    let err = cluster.apply_yaml(&widget("0")).unwrap_err();
    assert!(
        err.to_string().contains("spec.size"),
        "schema validation rejects size 0: {err}"
    );

    // The CRD exists only in this cluster.
    let other = bed
        .child(2)
        .kubectl_output(["get", "crd", &format!("widgets.{group}")])
        .unwrap();
    assert!(!other.status.success());
    cluster
        .kubectl(["delete", "crd", &format!("widgets.{group}"), "--wait=false"])
        .unwrap();
}

#[test]
fn helm_installs_and_uninstalls_a_local_chart() {
    let bed = Testbed::shared();
    let cluster = bed.child(2);
    let ns = cluster.create_namespace("helm").unwrap();
    let chart = charts_dir().join("smoke");
    let chart = chart.to_str().unwrap();

    cluster
        .helm(["install", "smoke", chart, "-n", &ns, "--set", "greeting=hi"])
        .unwrap();
    let greeting = cluster
        .kubectl([
            "get",
            "configmap",
            "smoke-config",
            "-n",
            &ns,
            "-o",
            "jsonpath={.data.greeting}",
        ])
        .unwrap();
    assert_eq!(greeting, "hi");
    let list = cluster.helm(["list", "-n", &ns, "-q"]).unwrap();
    assert_eq!(list.trim(), "smoke");

    cluster
        .helm([
            "upgrade",
            "smoke",
            chart,
            "-n",
            &ns,
            "--set",
            "greeting=again",
        ])
        .unwrap();
    let history = cluster
        .helm(["history", "smoke", "-n", &ns, "-o", "json"])
        .unwrap();
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history.as_array().map(Vec::len), Some(2));

    cluster
        .helm(["uninstall", "smoke", "-n", &ns, "--wait"])
        .unwrap();
    let gone = cluster
        .kubectl_output(["get", "configmap", "smoke-config", "-n", &ns])
        .unwrap();
    assert!(!gone.status.success(), "uninstall removed the ConfigMap");
    assert_eq!(cluster.helm(["list", "-n", &ns, "-q"]).unwrap().trim(), "");

    // Helm 4 (server-side apply by default), where installed.
    if let Some(helm4) = &tools().helm4 {
        let run = |args: &[&str]| {
            let output = cluster
                .helm_command_with(helm4)
                .args(args)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "helm4 {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        run(&["install", "smoke4", chart, "-n", &ns]);
        cluster
            .kubectl(["get", "configmap", "smoke4-config", "-n", &ns])
            .unwrap();
        run(&["uninstall", "smoke4", "-n", &ns]);
    }
}

#[test]
fn an_object_in_one_child_is_absent_from_the_other() {
    let bed = Testbed::shared();
    let (one, two) = (bed.child(1), bed.child(2));
    let ns = one.create_namespace("iso").unwrap();
    one.apply_yaml(&configmap(&ns, "only-here", "x")).unwrap();
    one.kubectl(["get", "configmap", "only-here", "-n", &ns])
        .unwrap();

    for other in [two, bed.hub()] {
        let output = other.kubectl_output(["get", "namespace", &ns]).unwrap();
        assert!(
            !output.status.success(),
            "namespace {ns} leaked into {}",
            other.name()
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("NotFound"));
        let (code, _) = other
            .request(
                "GET",
                &format!("/api/v1/namespaces/{ns}/configmaps/only-here"),
                None,
                None,
            )
            .unwrap();
        assert_eq!(code, 404);
    }
}

#[test]
fn clusternet_crds_install_on_the_hub_and_reject_an_invalid_subscription() {
    let hub = Testbed::shared().hub();
    hub.install_clusternet_crds().unwrap();
    for crd in [
        "subscriptions.apps.clusternet.io",
        "managedclusters.clusters.clusternet.io",
        "localizations.apps.clusternet.io",
        "globalizations.apps.clusternet.io",
        "helmcharts.apps.clusternet.io",
        "manifests.apps.clusternet.io",
        "bases.apps.clusternet.io",
        "descriptions.apps.clusternet.io",
    ] {
        hub.kubectl(["get", "crd", crd]).unwrap();
    }

    let ns = hub.create_namespace("sub").unwrap();
    let subscription = |strategy: &str, subscribers: &str| {
        format!(
            r#"apiVersion: apps.clusternet.io/v1alpha1
kind: Subscription
metadata:
  name: app
  namespace: {ns}
spec:
  schedulingStrategy: {strategy}
  feeds:
  - apiVersion: v1
    kind: ConfigMap
    name: app-config
    namespace: {ns}
{subscribers}"#
        )
    };
    let subscribers =
        "  subscribers:\n  - clusterAffinity:\n      matchLabels:\n        env: test\n";
    let apply = |yaml: &str| hub.kubectl_stdin(["apply", "--validate=false", "-f", "-"], yaml);

    assert!(
        wait_until(Duration::from_secs(30), || apply(&subscription(
            "Replication",
            subscribers
        ))
        .is_ok()),
        "a valid Subscription is accepted: {}",
        apply(&subscription("Replication", subscribers)).unwrap_err()
    );

    // Server-side validation by Clusternet's own schema (client-side validation is off).
    let err = apply(&subscription("Sideways", subscribers))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("spec.schedulingStrategy"),
        "unknown strategy rejected: {err}"
    );
    let err = apply(&subscription("Replication", ""))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("spec.subscribers"),
        "missing subscribers rejected: {err}"
    );
}

#[test]
fn the_shared_bed_listens_on_loopback_only() {
    let bed = Testbed::shared();
    if let Some(pid) = bed.node_agent_pid() {
        assert_eq!(
            listening_addresses(pid),
            vec![],
            "the node agent serves nothing"
        );
    }
    for pid in bed.pids() {
        assert!(process_alive(pid), "bed process {pid} is running");
        for addr in listening_addresses(pid) {
            assert!(addr.ip().is_loopback(), "process {pid} listens on {addr}");
        }
    }
    // Every API server really listens, on 127.0.0.1.
    for cluster in bed.clusters() {
        let addrs = listening_addresses(cluster.apiserver_pid());
        assert!(!addrs.is_empty(), "{} listens", cluster.name());
        assert!(cluster.server().starts_with("https://127.0.0.1:"));
        if let Some(pid) = cluster.controller_manager_pid() {
            assert_eq!(
                listening_addresses(pid),
                vec![],
                "the controller manager serves nothing"
            );
        }
        if let Some(pid) = cluster.scheduler_pid() {
            assert_eq!(
                listening_addresses(pid),
                vec![],
                "the scheduler serves nothing"
            );
        }
    }
}

#[test]
fn up_is_idempotent_and_down_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("bed");
    let bed = Testbed::up(&state, 1, true, Some(std::process::id())).unwrap();
    let pids = bed.pids();
    let ports: Vec<u16> = bed
        .clusters()
        .iter()
        .map(|c| c.server().rsplit(':').next().unwrap().parse().unwrap())
        .chain([bed.etcd_url().rsplit(':').next().unwrap().parse().unwrap()])
        .collect();
    assert_eq!(bed.clusters().len(), 2);
    for &pid in &pids {
        assert!(process_alive(pid));
        for addr in listening_addresses(pid) {
            assert!(addr.ip().is_loopback(), "process {pid} listens on {addr}");
        }
    }
    bed.child(1)
        .kubectl(["get", "namespace", "default"])
        .unwrap();

    // A second `up` of the same shape reuses the running bed; another shape is refused.
    let again = Testbed::up(&state, 1, true, None).unwrap();
    assert_eq!(again.pids(), pids);
    let err = Testbed::up(&state, 2, true, None).unwrap_err().to_string();
    assert!(err.contains("another shape"), "{err}");

    bed.down().unwrap();
    for &pid in &pids {
        assert!(
            wait_until(Duration::from_secs(10), || !process_alive(pid)),
            "process {pid} is gone after down"
        );
    }
    for &port in &ports {
        assert!(
            !tcp_port_listening(port),
            "nothing listens on {port} after down"
        );
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }
    assert!(!state.exists(), "down removed the state directory");
    assert!(!Testbed::is_running(&state));
}

#[test]
fn helm_installs_a_chart_from_a_loopback_repository() {
    let cluster = Testbed::shared().child(1);
    let repo = ChartRepo::serve(&[&charts_dir().join("smoke")]).unwrap();
    assert!(repo.url().starts_with("http://127.0.0.1:"));
    let ns = cluster.create_namespace("repo").unwrap();
    cluster
        .helm([
            "install",
            "fromrepo",
            "smoke",
            "--repo",
            repo.url(),
            "--version",
            "0.1.0",
            "-n",
            &ns,
        ])
        .unwrap();
    cluster
        .kubectl(["get", "configmap", "fromrepo-config", "-n", &ns])
        .unwrap();
    let err = cluster
        .helm([
            "install",
            "missing",
            "smoke",
            "--repo",
            repo.url(),
            "--version",
            "9.9.9",
            "-n",
            &ns,
        ])
        .unwrap_err();
    assert!(err.to_string().contains("9.9.9"), "{err}");
    cluster.helm(["uninstall", "fromrepo", "-n", &ns]).unwrap();
}

#[test]
fn a_bed_whose_server_died_keeps_its_logs_on_down_and_is_replaced_on_up() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("bed");
    let bed = Testbed::up(&state, 0, false, Some(std::process::id())).unwrap();
    assert!(bed.children().is_empty());
    let hub_pid = bed.hub().apiserver_pid();
    run_checked(std::process::Command::new("kill").arg(hub_pid.to_string())).unwrap();
    assert!(wait_until(Duration::from_secs(15), || !process_alive(
        hub_pid
    )));
    assert!(!Testbed::is_running(&state), "status sees the dead server");

    // `up` replaces the dead bed with a fresh one.
    let fresh = Testbed::up(&state, 0, false, Some(std::process::id())).unwrap();
    assert_ne!(fresh.hub().apiserver_pid(), hub_pid);
    fresh
        .hub()
        .kubectl(["get", "namespace", "default"])
        .unwrap();
    let fresh_pid = fresh.hub().apiserver_pid();
    run_checked(std::process::Command::new("kill").arg(fresh_pid.to_string())).unwrap();
    assert!(wait_until(Duration::from_secs(15), || !process_alive(
        fresh_pid
    )));

    fresh.down().unwrap();
    assert!(!state.exists());
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("bed.failed-"))
        .collect();
    assert_eq!(kept.len(), 1, "down keeps the logs of a failed bed");
    assert!(kept[0].path().join("kube-apiserver-hub.log").is_file());
    for pid in fresh.pids() {
        assert!(
            wait_until(Duration::from_secs(10), || !process_alive(pid)),
            "{pid} stopped"
        );
    }
}

#[test]
fn a_failed_up_keeps_its_logs_and_leaves_no_process() {
    let dir = tempfile::tempdir().unwrap();
    // A cache whose "kube-apiserver" fails at once; everything else is the real thing.
    let cache = dir.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let fake = dir.path().join("broken-apiserver");
    std::fs::write(&fake, "#!/bin/sh\necho 'broken on purpose' >&2\nexit 1\n").unwrap();
    run_checked(std::process::Command::new("chmod").arg("+x").arg(&fake)).unwrap();
    let real = std::fs::read_to_string(acceptance_tests::testbed::cache_dir().join("tools.env"))
        .unwrap_or_default();
    let etcd = real
        .lines()
        .find(|l| l.starts_with("ETCD="))
        .expect("etcd installed");
    std::fs::write(
        cache.join("tools.env"),
        format!("{etcd}\nKUBE_APISERVER={}\n", fake.display()),
    )
    .unwrap();

    let state = dir.path().join("bed");
    let output = std::process::Command::new(acceptance_tests::testbed::bed_script())
        .args(["up", "--children", "1", "--state"])
        .arg(&state)
        .env("CLUSTERNET_CACHE", &cache)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "up fails: {stderr}");
    assert!(stderr.contains("logs kept in"), "{stderr}");
    assert!(!state.exists(), "no state is left behind");
    let kept = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("bed.failed-"))
        .expect("logs kept");
    let log = std::fs::read_to_string(kept.path().join("kube-apiserver-hub.log")).unwrap();
    assert!(log.contains("broken on purpose"), "{log}");
    assert!(kept.path().join("etcd.log").is_file());

    // No process of that bed survives (its command lines would name the state directory).
    let needle = format!("{}/", state.display());
    let survivors: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(&needle))
        .collect();
    assert!(survivors.is_empty(), "{survivors:?}");
}
