//! Refresh by list against the real test bed: `Cluster::read_live_by_list` finds what one GET
//! per object finds, whatever happened to the objects' labels, and falls back to GETs where
//! the server refuses a list.

use std::time::Duration;

mod common;

use acceptance_tests::testbed::{self, Testbed, unique_name, wait_until};
use clusternet_deploy::drift::by_list::PAGE_SIZE;
use clusternet_deploy::ownership::{SUBS_NAME, SUBS_NAMESPACE};
use clusternet_deploy::{
    ApplyOptions, Cluster, ConnectionConfig, LiveObject, ObjectError, Ownership, Timeouts, fields,
};
use clusternet_model::identity::ObjectIdentity;
use common::connection::connect;
use serde_json::{Value, json};

/// How the provider marks a subscription's objects (`targets::ownership`).
fn owned(subscription: &str) -> Ownership {
    Ownership::for_description("clusternet-test", &format!("apps-{subscription}"))
        .with_label(SUBS_NAME, subscription)
        .with_label(SUBS_NAMESPACE, "apps")
}

fn selector(subscription: &str) -> String {
    owned(subscription).label_selector().unwrap()
}

fn config_map(namespace: &str, name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": namespace}, "data": {"name": name}})
}

fn deployment(namespace: &str, name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": name, "namespace": namespace},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.9"}]}}}})
}

/// Two namespaces of ConfigMaps and Deployments, and a cluster-scoped ClusterRole.
fn objects(namespaces: &[&str], role: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for ns in namespaces {
        out.extend((0..4).map(|i| config_map(ns, &format!("cm-{i}"))));
        out.extend((0..2).map(|i| deployment(ns, &format!("web-{i}"))));
    }
    out.push(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                    "metadata": {"name": role}, "rules": []}),
    );
    out.push(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                    "metadata": {"name": format!("{role}-2")}, "rules": []}),
    );
    out
}

async fn apply(cluster: &Cluster, objects: &[Value], owner: &Ownership) {
    let report = cluster
        .apply(
            objects.to_vec(),
            &ApplyOptions {
                ownership: Some(owner.clone()),
                ..ApplyOptions::default()
            },
        )
        .await;
    assert!(report.is_success(), "{report:?}");
}

fn references(objects: &[Value]) -> Vec<ObjectIdentity> {
    objects
        .iter()
        .map(|o| ObjectIdentity::of(o).unwrap())
        .collect()
}

/// Each object as the provider compares it: the fields our manager owns (status and
/// resourceVersion move under the controllers between two reads).
fn owned_fields(live: &[LiveObject], manager: &str) -> Vec<(ObjectIdentity, Option<Value>)> {
    live.iter()
        .map(|l| {
            let state = l.state.as_ref().unwrap_or_else(|e| panic!("{e}"));
            (
                l.reference.clone(),
                state.as_ref().map(|o| fields::owned_by(o, manager)),
            )
        })
        .collect()
}

fn state_of<'a>(
    live: &'a [LiveObject],
    name: &str,
    kind: &str,
) -> &'a Result<Option<Value>, ObjectError> {
    &live
        .iter()
        .find(|l| l.reference.name == name && l.reference.kind == kind)
        .unwrap()
        .state
}

async fn cleanup(child: &testbed::Cluster, namespaces: &[&str], role: &str) {
    for ns in namespaces {
        let _ = child.kubectl(["delete", "namespace", ns, "--wait=false"]);
    }
    let _ = child.kubectl(["delete", "clusterrole", role, &format!("{role}-2")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_read_by_list_equal_what_gets_return() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let cluster = connect(child).await;
    let subscription = unique_name("by-list");
    let (a, b) = (unique_name("list-a"), unique_name("list-b"));
    let role = unique_name("list-role");
    for ns in [&a, &b] {
        child.kubectl(["create", "namespace", ns]).unwrap();
    }
    let objects = objects(&[&a, &b], &role);
    apply(&cluster, &objects, &owned(&subscription)).await;
    let mut refs = references(&objects);
    // Never applied: gone by both paths; an unserved kind too.
    refs.push(ObjectIdentity::new(
        "v1",
        "ConfigMap",
        Some(a.as_str()),
        "never",
    ));
    refs.push(ObjectIdentity::new(
        "example.com/v1",
        "Widget",
        Some(a.as_str()),
        "w1",
    ));
    refs.push(ObjectIdentity::new(
        "example.com/v1",
        "Widget",
        Some(a.as_str()),
        "w2",
    ));

    let by_get = cluster.read_live(&refs, 8).await;
    let by_list = cluster
        .read_live_by_list(&refs, &selector(&subscription), 8)
        .await;
    let manager = cluster.field_manager();
    assert_eq!(
        owned_fields(&by_list, manager),
        owned_fields(&by_get, manager)
    );
    assert_eq!(
        by_list
            .iter()
            .filter(|l| matches!(l.state, Ok(Some(_))))
            .count(),
        objects.len()
    );
    // Whole objects, not only the owned fields: the same kind, labels and data.
    let listed = state_of(&by_list, "cm-1", "ConfigMap")
        .as_ref()
        .unwrap()
        .clone()
        .unwrap();
    let got = state_of(&by_get, "cm-1", "ConfigMap")
        .as_ref()
        .unwrap()
        .clone()
        .unwrap();
    assert_eq!(listed, got);
    cleanup(child, &[&a, &b], &role).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_whose_labels_were_removed_is_still_found_and_a_deleted_one_is_gone() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let cluster = connect(child).await;
    let subscription = unique_name("by-list");
    let ns = unique_name("list-oob");
    let role = unique_name("list-role");
    child.kubectl(["create", "namespace", &ns]).unwrap();
    let objects = objects(&[&ns], &role);
    apply(&cluster, &objects, &owned(&subscription)).await;
    child
        .kubectl([
            "label",
            "configmap",
            "cm-1",
            "-n",
            &ns,
            &format!("{SUBS_NAME}-"),
        ])
        .unwrap();
    child
        .kubectl([
            "label",
            "deployment",
            "web-0",
            "-n",
            &ns,
            &format!("{SUBS_NAMESPACE}=elsewhere"),
            "--overwrite",
        ])
        .unwrap();
    child
        .kubectl(["delete", "configmap", "cm-2", "-n", &ns])
        .unwrap();

    let refs = references(&objects);
    let live = cluster
        .read_live_by_list(&refs, &selector(&subscription), 8)
        .await;
    let unlabelled = state_of(&live, "cm-1", "ConfigMap")
        .as_ref()
        .unwrap()
        .as_ref();
    assert_eq!(
        unlabelled.and_then(|o| o.pointer("/data/name")),
        Some(&json!("cm-1"))
    );
    assert!(matches!(
        state_of(&live, "web-0", "Deployment"),
        Ok(Some(_))
    ));
    assert!(matches!(state_of(&live, "cm-2", "ConfigMap"), Ok(None)));
    assert!(matches!(state_of(&live, "cm-3", "ConfigMap"), Ok(Some(_))));
    let manager = cluster.field_manager();
    assert_eq!(
        owned_fields(&live, manager),
        owned_fields(&cluster.read_live(&refs, 8).await, manager)
    );
    cleanup(child, &[&ns], &role).await;
}

/// A ServiceAccount of `namespace` allowed only `verbs` on ConfigMaps and Deployments there,
/// and a client of the cluster with its token.
async fn restricted_client(child: &testbed::Cluster, namespace: &str, verbs: &str) -> Cluster {
    let rbac = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: reader, namespace: {namespace}}}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: reader, namespace: {namespace}}}\n\
         rules:\n- apiGroups: ['', apps]\n  resources: [configmaps, deployments]\n  verbs: [{verbs}]\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: reader, namespace: {namespace}}}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}\n\
         subjects: [{{kind: ServiceAccount, name: reader, namespace: {namespace}}}]\n"
    );
    child.apply_yaml(&rbac).unwrap();
    // The controller manager's token controller writes the ServiceAccount's token Secret.
    let secret = || {
        child
            .kubectl([
                "get",
                "serviceaccount",
                "reader",
                "-n",
                namespace,
                "-o",
                "jsonpath={.secrets[0].name}",
            ])
            .ok()
            .filter(|s| !s.trim().is_empty())
    };
    assert!(
        wait_until(Duration::from_secs(60), || secret().is_some()),
        "no token for reader"
    );
    let token = child
        .kubectl([
            "get",
            "secret",
            secret().unwrap().trim(),
            "-n",
            namespace,
            "-o",
            "jsonpath={.data.token}",
        ])
        .unwrap();
    let token = String::from_utf8(base64_decode(token.trim())).unwrap();
    let config = ConnectionConfig::Direct {
        host: child.server().to_string(),
        token: Some(token),
        ca_certificate_pem: Some(std::fs::read_to_string(child.ca_file()).unwrap()),
        client_certificate_pem: None,
        client_key_pem: None,
        insecure: false,
        exec: None,
    };
    Cluster::connect(child.name(), &config, Timeouts::default())
        .await
        .unwrap()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let mut output = std::process::Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    output
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    output.wait_with_output().unwrap().stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_whose_list_is_forbidden_is_read_by_get_and_one_not_even_gettable_is_unreadable() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let admin = connect(child).await;
    let subscription = unique_name("by-list");
    let ns = unique_name("list-rbac");
    child.kubectl(["create", "namespace", &ns]).unwrap();
    let objects: Vec<Value> = objects(&[&ns], "unused")
        .into_iter()
        .filter(|o| o["kind"] != "ClusterRole")
        .collect();
    apply(&admin, &objects, &owned(&subscription)).await;
    child
        .kubectl(["delete", "configmap", "cm-2", "-n", &ns])
        .unwrap();
    let refs = references(&objects);

    let get_only = restricted_client(child, &ns, "get").await;
    let live = get_only
        .read_live_by_list(&refs, &selector(&subscription), 8)
        .await;
    let manager = admin.field_manager();
    assert_eq!(
        owned_fields(&live, manager),
        owned_fields(&admin.read_live(&refs, 8).await, manager)
    );
    assert!(matches!(state_of(&live, "cm-2", "ConfigMap"), Ok(None)));

    child
        .kubectl([
            "patch",
            "role",
            "reader",
            "-n",
            &ns,
            "--type=json",
            "-p",
            r#"[{"op": "replace", "path": "/rules/0/verbs", "value": ["watch"]}]"#,
        ])
        .unwrap();
    let unreadable = get_only
        .read_live_by_list(&refs, &selector(&subscription), 8)
        .await;
    assert!(
        unreadable
            .iter()
            .all(|l| matches!(&l.state, Err(ObjectError::Api { code: 403, .. }))),
        "{unreadable:?}"
    );
    let _ = child.kubectl(["delete", "namespace", &ns, "--wait=false"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_bigger_than_a_page_is_read_whole() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let subscription = unique_name("by-list");
    let ns = unique_name("list-pages");
    child.kubectl(["create", "namespace", &ns]).unwrap();
    let count = PAGE_SIZE as usize + 20;
    let owner = owned(&subscription);
    // One kubectl call creates them all (an apply per object would take longer than the
    // read under test); they carry the ownership labels as the provider stamps them.
    let items: Vec<Value> = (0..count)
        .map(|i| {
            let mut object = config_map(&ns, &format!("cm-{i}"));
            owner.stamp(&mut object);
            object
        })
        .collect();
    child
        .kubectl_stdin(
            ["create", "-f", "-"],
            &json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string(),
        )
        .unwrap();
    let refs = references(&items);
    // Allowed to list but not to get: an object missed by the paging would be an error here,
    // not a GET that hides the miss.
    let list_only = restricted_client(child, &ns, "list").await;
    let live = list_only
        .read_live_by_list(&refs, &selector(&subscription), 8)
        .await;
    assert_eq!(live.len(), count);
    for (l, r) in live.iter().zip(&refs) {
        assert_eq!(&l.reference, r);
        let object = l
            .state
            .as_ref()
            .unwrap()
            .as_ref()
            .unwrap_or_else(|| panic!("{r:?} missing"));
        assert_eq!(object.pointer("/metadata/name").unwrap(), &json!(r.name));
    }
    let _ = child.kubectl(["delete", "namespace", &ns, "--wait=false"]);
}
