//! Readiness on the test bed is decided by the real control plane: the kube-scheduler binds
//! pods to the bed's Nodes, the Deployment/ReplicaSet, Job and endpoints controllers of
//! kube-controller-manager count ready pods. The node agent stands in for the kubelet only:
//! it reports a bound pod Running and Ready after a delay, never for an image tagged
//! `never-ready`, and Succeeded for a Job's image tagged `completes` (see
//! `acceptance-tests/testbed/README.md`).
//!
//! On the shared bed ([`Testbed::shared`]), on child-1; each test makes its own namespace.
//! The outage test uses a private bed. Every wait polls a condition with a deadline.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use acceptance_tests::testbed::{
    Cluster, Testbed, deployment_available, process_alive, run_checked, wait_until,
};
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(60);
/// How long a workload may take to become available right after an API server outage.
const AFTER_AN_OUTAGE: Duration = Duration::from_secs(180);

/// child-1 of the shared bed, which must run schedulers and the node agent.
fn child() -> &'static Cluster {
    let bed = Testbed::shared();
    assert!(
        bed.has_scheduler(),
        "the shared bed runs no kube-scheduler/node agent (start it with --controller-manager)"
    );
    bed.child(1)
}

fn deployment(namespace: &str, name: &str, labels: &str, image: &str, replicas: u32) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}, {labels}}}
    spec:
      containers:
      - name: web
        image: {image}
        ports:
        - containerPort: 80
"#
    )
}

fn pods(cluster: &Cluster, namespace: &str, selector: &str) -> Vec<Value> {
    let list = cluster
        .get_json(["pods", "-n", namespace, "-l", selector])
        .unwrap();
    list["items"].as_array().cloned().unwrap_or_default()
}

fn condition<'a>(pod: &'a Value, kind: &str) -> Option<&'a str> {
    pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)?["status"]
        .as_str()
}

fn waiting_reason(pod: &Value) -> Option<&str> {
    pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].as_str()
}

#[test]
fn a_deployment_becomes_available_through_the_scheduler_the_controllers_and_the_node_agent() {
    let cluster = child();
    let ns = cluster.create_namespace("ready").unwrap();
    let started = Instant::now();
    cluster
        .apply_yaml(&deployment(&ns, "web", "tier: web", "nginx:1.25", 3))
        .unwrap();
    let available = cluster
        .wait_deployment_available(&ns, "web", DEADLINE)
        .unwrap();
    eprintln!(
        "3-replica Deployment available after {:?}",
        started.elapsed()
    );
    assert_eq!(available["status"]["availableReplicas"], 3);
    assert!(
        available["status"]["observedGeneration"].as_i64()
            >= available["metadata"]["generation"].as_i64()
    );

    let pods = pods(cluster, &ns, "app=web");
    assert_eq!(pods.len(), 3);
    let mut ips = BTreeSet::new();
    for pod in &pods {
        let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
        assert!(
            cluster.nodes().iter().any(|n| n == node),
            "bound by the scheduler to a bed node: {node}"
        );
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(condition(pod, "Ready"), Some("True"));
        assert_eq!(condition(pod, "PodScheduled"), Some("True"));
        assert_eq!(pod["status"]["containerStatuses"][0]["ready"], true);
        assert!(pod["status"]["hostIP"].is_string());
        ips.insert(pod["status"]["podIP"].as_str().unwrap().to_string());
    }
    assert_eq!(ips.len(), 3, "every pod has its own IP: {ips:?}");
}

#[test]
fn a_never_ready_image_keeps_a_deployment_unavailable_in_image_pull_back_off() {
    let cluster = child();
    let ns = cluster.create_namespace("never").unwrap();
    cluster
        .apply_yaml(&deployment(
            &ns,
            "stuck",
            "tier: stuck",
            "nginx:never-ready",
            3,
        ))
        .unwrap();

    // The agent's final word on each pod: the image cannot be pulled.
    let deadline = Instant::now() + DEADLINE;
    let backing_off = loop {
        let pods = pods(cluster, &ns, "app=stuck");
        if pods.len() == 3
            && pods
                .iter()
                .all(|p| waiting_reason(p) == Some("ImagePullBackOff"))
        {
            break pods;
        }
        assert!(
            Instant::now() < deadline,
            "pods not in ImagePullBackOff: {pods:#?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for pod in &backing_off {
        assert_eq!(pod["status"]["phase"], "Pending");
        assert_eq!(condition(pod, "Ready"), Some("False"));
        let message = pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(message.contains("nginx:never-ready"), "{message}");
    }

    // The Deployment controller has seen those pods and counts none available.
    let deployment = cluster
        .wait_for(
            "deployment",
            "stuck",
            &ns,
            "observed with 3 unavailable replicas",
            DEADLINE,
            |d| {
                d["status"]["observedGeneration"].as_i64() >= d["metadata"]["generation"].as_i64()
                    && d["status"]["unavailableReplicas"] == 3
            },
        )
        .unwrap();
    assert!(!deployment_available(&deployment));
    assert_eq!(
        deployment["status"]["availableReplicas"]
            .as_i64()
            .unwrap_or(0),
        0,
        "{deployment:#}"
    );
}

#[test]
fn a_service_gets_only_the_ready_pods_as_endpoints() {
    let cluster = child();
    let ns = cluster.create_namespace("svc").unwrap();
    // Both Deployments carry tier=front; only the first one's pods become ready.
    cluster
        .apply_yaml(&deployment(&ns, "good", "tier: front", "nginx:1.25", 2))
        .unwrap();
    cluster
        .apply_yaml(&deployment(
            &ns,
            "bad",
            "tier: front",
            "nginx:never-ready",
            1,
        ))
        .unwrap();
    cluster
        .apply_yaml(&format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: front\n  namespace: {ns}\nspec:\n  selector: {{tier: front}}\n  ports:\n  - port: 80\n    targetPort: 80\n"
        ))
        .unwrap();
    cluster
        .wait_deployment_available(&ns, "good", DEADLINE)
        .unwrap();

    let ready: BTreeSet<String> = cluster
        .wait_ready_endpoints(&ns, "front", 2, DEADLINE)
        .unwrap()
        .into_iter()
        .collect();
    let good_ips: BTreeSet<String> = pods(cluster, &ns, "app=good")
        .iter()
        .filter_map(|p| p["status"]["podIP"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ready, good_ips, "the endpoints are the ready pods");

    // The never-ready pod is known to the endpoints controller, as not ready.
    let endpoints = cluster
        .wait_for(
            "endpoints",
            "front",
            &ns,
            "listing the never-ready pod as not ready",
            DEADLINE,
            |e| {
                e["subsets"][0]["notReadyAddresses"]
                    .as_array()
                    .is_some_and(|a| a.len() == 1)
            },
        )
        .unwrap();
    let not_ready = endpoints["subsets"][0]["notReadyAddresses"][0]["ip"]
        .as_str()
        .unwrap();
    assert!(!ready.contains(not_ready));
}

#[test]
fn a_job_whose_image_completes_succeeds() {
    let cluster = child();
    let ns = cluster.create_namespace("job").unwrap();
    cluster
        .apply_yaml(&format!(
            r#"apiVersion: batch/v1
kind: Job
metadata:
  name: once
  namespace: {ns}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: task
        image: busybox:completes
"#
        ))
        .unwrap();
    let job = cluster.wait_job_complete(&ns, "once", DEADLINE).unwrap();
    assert_eq!(job["status"]["succeeded"], 1, "{job:#}");
    let pods = pods(cluster, &ns, "job-name=once");
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["status"]["phase"], "Succeeded");
    assert_eq!(
        pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["reason"],
        "Completed"
    );
}

#[test]
fn a_namespace_with_running_pods_is_deleted_since_the_agent_finalizes_its_pods() {
    let cluster = child();
    let ns = cluster.create_namespace("gone").unwrap();
    cluster
        .apply_yaml(&deployment(&ns, "web", "tier: web", "nginx:1.25", 2))
        .unwrap();
    cluster
        .wait_deployment_available(&ns, "web", DEADLINE)
        .unwrap();
    cluster
        .kubectl(["delete", "namespace", &ns, "--wait=true", "--timeout=60s"])
        .unwrap();
    assert!(!cluster.exists("namespace", &ns, "default"));
}

/// A private bed (one child): the test stops an API server and kills the agent, which the
/// shared bed's other users must never see.
#[test]
fn the_node_agent_outlives_an_outage_and_up_restarts_it_when_it_died() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("bed");
    let bed = Testbed::up(&state, 1, true, Some(std::process::id())).unwrap();
    assert!(bed.has_scheduler());
    let cluster = bed.child(1);
    assert_eq!(
        cluster.nodes(),
        ["bed-child-1-node-1", "bed-child-1-node-2"]
    );

    // An outage of child-1's API server: the agent reconnects once it is back.
    cluster.stop().unwrap();
    cluster.start().unwrap();
    let ns = cluster.create_namespace("outage").unwrap();
    cluster
        .apply_yaml(&deployment(&ns, "after", "tier: web", "nginx:1.25", 2))
        .unwrap();
    // After an outage the controllers' and the scheduler's watches come back on client-go's
    // backoff (up to 30 s a retry, each in turn: Deployment, ReplicaSet, scheduler, agent),
    // so this wait may take longer than one on a bed that was never down.
    cluster
        .wait_deployment_available(&ns, "after", AFTER_AN_OUTAGE)
        .unwrap();

    // The agent dies: the bed is reported unhealthy, and `up` starts the agent again
    // without replacing the bed.
    let agent = bed.node_agent_pid().expect("a node agent");
    run_checked(std::process::Command::new("kill").arg(agent.to_string())).unwrap();
    assert!(wait_until(Duration::from_secs(10), || !process_alive(
        agent
    )));
    assert!(!Testbed::is_running(&state), "status sees the dead agent");
    let again = Testbed::up(&state, 1, true, None).unwrap();
    assert_eq!(again.etcd_url(), bed.etcd_url(), "the bed was reused");
    let new_agent = again.node_agent_pid().expect("a node agent");
    assert_ne!(new_agent, agent);
    cluster
        .kubectl(["scale", "deployment", "after", "-n", &ns, "--replicas=3"])
        .unwrap();
    cluster
        .wait_deployment_available(&ns, "after", DEADLINE)
        .unwrap();
    again.down().unwrap();
}
