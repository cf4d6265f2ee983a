//! Services and workloads whose ports omit `protocol` apply on a real Kubernetes 1.20 API
//! server: the server refuses such a server-side apply body on its own, and
//! `Cluster::apply` fills in the server's default first.

mod common;

use acceptance_tests::testbed::{Testbed, unique_name};
use clusternet_deploy::{ApplyOptions, Ownership};
use clusternet_model::identity::ObjectIdentity;
use common::connection::connect;
use serde_json::{Value, json};

fn service(namespace: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "web", "namespace": namespace},
           "spec": {"selector": {"app": "web"},
                    "ports": [{"name": "http", "port": 80}, {"name": "dns", "port": 53, "protocol": "UDP"}]}})
}

fn deployment(namespace: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": namespace},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                          "ports": [{"containerPort": 8080}]}]}}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ports_without_protocol_apply_with_the_servers_default_filled_in() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let namespace = child.create_namespace("deploy-defaults").unwrap();

    // The server itself refuses the body as given: this is what the defaults work around.
    let (status, body) = child
        .request(
            "PATCH",
            &format!(
                "/api/v1/namespaces/{namespace}/services/raw?fieldManager={}",
                unique_name("raw")
            ),
            Some("application/apply-patch+yaml"),
            Some(
                &service(&namespace)
                    .to_string()
                    .replace("\"web\"", "\"raw\""),
            ),
        )
        .unwrap();
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("omits key field"), "{body}");

    let cluster = connect(child).await;
    let ownership = Ownership::for_description("clusternet-test", "defaults-generic")
        .with_subscription("apps", "defaults", &unique_name("uid"));
    let options = ApplyOptions {
        ownership: Some(ownership.clone()),
        ..ApplyOptions::default()
    };
    let objects = vec![service(&namespace), deployment(&namespace)];
    let report = cluster.apply(objects.clone(), &options).await;
    assert!(report.is_success(), "{:?}", report.outcomes);

    let protocols = child
        .kubectl([
            "get",
            "service",
            "web",
            "-n",
            &namespace,
            "-o",
            "jsonpath={.spec.ports[*].protocol}",
        ])
        .unwrap();
    assert_eq!(protocols, "TCP UDP");
    let container = child
        .kubectl([
            "get",
            "deployment",
            "web",
            "-n",
            &namespace,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].ports[0].protocol}",
        ])
        .unwrap();
    assert_eq!(container, "TCP");

    // Applying the same input again changes nothing: the Service keeps its resourceVersion,
    // the Deployment its generation (its resourceVersion moves with the status the bed's
    // controllers write).
    let again = cluster.apply(objects.clone(), &options).await;
    let service_version = |r: &clusternet_deploy::ApplyReport| -> String {
        r.outcomes[0]
            .result
            .as_ref()
            .unwrap()
            .resource_version
            .clone()
    };
    assert_eq!(service_version(&again), service_version(&report));
    let generation = child
        .kubectl([
            "get",
            "deployment",
            "web",
            "-n",
            &namespace,
            "-o",
            "jsonpath={.metadata.generation}",
        ])
        .unwrap();
    assert_eq!(generation, "1");

    // What our manager owns is the input plus exactly the filled-in protocol.
    let refs: Vec<ObjectIdentity> = objects
        .iter()
        .map(|o| ObjectIdentity::of(o).unwrap())
        .collect();
    let live = cluster.read_owned(&refs, 2).await;
    let mut seen = live[0].state.clone().unwrap().expect("service present");
    ownership.strip(&mut seen);
    let mut expected = service(&namespace);
    expected["spec"]["ports"][0]["protocol"] = json!("TCP");
    assert_eq!(seen, expected);
}
