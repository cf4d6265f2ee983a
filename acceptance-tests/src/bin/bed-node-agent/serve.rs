//! Serving one cluster: register its nodes, then list and watch the pods bound to them and
//! report their status after the delay; finalize the ones being deleted.
//!
//! The loop survives the API server going away (`bed stop-cluster`): every failure ends the
//! session, and a new one starts a second later with a fresh list, so that what changed
//! meanwhile is seen. Work is driven by watch events and by the due times of pending reports,
//! never by polling.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, Preconditions, WatchEvent,
    WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::time::{Instant, sleep, sleep_until};

use crate::behaviour::behaviour;
use crate::nodes::{Nodes, PodAddresses};
use crate::status::{Placement, Stage, next_stage, status_patch};

/// Bound pods only: the agent has nothing to do before the scheduler has placed a pod.
const BOUND: &str = "spec.nodeName!=";

/// How long to wait before a new session after a failed one.
const RETRY: Duration = Duration::from_secs(1);

/// One cluster to serve.
#[derive(Debug, Clone)]
pub struct Target {
    /// The cluster's name in the bed (`child-1`), part of the node names.
    pub cluster: String,
    /// Its kubeconfig.
    pub kubeconfig: PathBuf,
}

/// How the agent behaves on every cluster.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// From a pod being bound (or running, for a completing pod) to its next status.
    pub delay: Duration,
    /// Nodes per cluster.
    pub nodes: u8,
}

/// A report the agent still owes a pod.
#[derive(Debug, Clone, Copy)]
struct Pending {
    due: Instant,
    stage: Stage,
}

#[derive(Debug)]
struct Tracked {
    pod: Pod,
    node: u8,
    ip: Option<Ipv4Addr>,
    pending: Option<Pending>,
}

struct Agent {
    cluster: String,
    nodes: Nodes,
    settings: Settings,
    client: kube::Client,
    pods: Api<Pod>,
    node_api: Api<Node>,
    tracked: HashMap<String, Tracked>,
    addresses: PodAddresses,
    /// The last session failed: the API server was unreachable.
    outage: bool,
}

/// Serves `target` until the process ends.
pub async fn serve(target: Target, settings: Settings) {
    let client = loop {
        match client(&target).await {
            Ok(client) => break client,
            Err(e) => {
                log(&target.cluster, &format!("cannot build a client: {e}"));
                sleep(RETRY).await;
            }
        }
    };
    let mut agent = Agent {
        nodes: Nodes::new(&target.cluster, settings.nodes),
        cluster: target.cluster,
        settings,
        pods: Api::all(client.clone()),
        node_api: Api::all(client.clone()),
        client,
        tracked: HashMap::new(),
        addresses: PodAddresses::default(),
        outage: false,
    };
    loop {
        if let Err(e) = agent.session().await {
            // Logged once per outage, not once a second.
            if !agent.outage {
                agent.log(&format!("lost the API server ({e}); retrying every second"));
            }
            agent.outage = true;
            sleep(RETRY).await;
        }
    }
}

async fn client(target: &Target) -> Result<kube::Client, String> {
    let kubeconfig = Kubeconfig::read_from(&target.kubeconfig).map_err(|e| e.to_string())?;
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    kube::Client::try_from(config).map_err(|e| e.to_string())
}

/// Now, as Kubernetes writes times (RFC 3339, whole seconds, UTC).
fn now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    k8s_openapi::jiff::Timestamp::from_second(i64::try_from(seconds).unwrap_or(0))
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn log(cluster: &str, message: &str) {
    eprintln!("{} {cluster}: {message}", now());
}

impl Agent {
    fn log(&self, message: &str) {
        log(&self.cluster, message);
    }

    /// Registers the nodes, lists the bound pods and follows them until the watch ends
    /// (`Ok`, e.g. its timeout) or fails (`Err`).
    async fn session(&mut self) -> Result<(), kube::Error> {
        self.register_nodes().await?;
        let list = self.pods.list(&ListParams::default().fields(BOUND)).await?;
        if self.outage {
            self.log(&format!(
                "the API server is back; {} bound pods",
                list.items.len()
            ));
            self.outage = false;
        }
        self.tracked.clear();
        self.addresses = PodAddresses::default();
        for pod in list.items {
            self.observe(pod).await?;
        }
        let version = list.metadata.resource_version.unwrap_or_default();
        let mut events = self
            .pods
            .watch(&WatchParams::default().fields(BOUND).timeout(290), &version)
            .await?
            .boxed();
        loop {
            let next_due = self
                .tracked
                .values()
                .filter_map(|t| t.pending.map(|p| p.due))
                .min();
            tokio::select! {
                event = events.next() => match event {
                    None => return Ok(()),
                    Some(Err(e)) => return Err(e),
                    Some(Ok(WatchEvent::Added(pod) | WatchEvent::Modified(pod))) => {
                        self.observe(pod).await?;
                    }
                    Some(Ok(WatchEvent::Deleted(pod))) => self.forget(&pod),
                    Some(Ok(WatchEvent::Bookmark(_))) => {}
                    // Typically 410 Gone: the version is too old; list again.
                    Some(Ok(WatchEvent::Error(status))) => {
                        self.log(&format!("watch ended: {}", status.message));
                        return Ok(());
                    }
                },
                () = sleep_until(next_due.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))),
                    if next_due.is_some() => self.report_due().await?,
            }
        }
    }

    /// What a kubelet does on registration: creates its Node if there is none.
    async fn register_nodes(&self) -> Result<(), kube::Error> {
        for (n, name) in (1..).zip(self.nodes.names()) {
            if self.node_api.get_opt(&name).await?.is_some() {
                continue;
            }
            let node: Node = serde_json::from_value(self.nodes.object(n, &now()))
                .map_err(kube::Error::SerdeError)?;
            match self.node_api.create(&PostParams::default(), &node).await {
                Ok(_) => self.log(&format!("registered node {name}")),
                Err(kube::Error::Api(status)) if status.code == 409 => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Takes in the latest state of a bound pod.
    async fn observe(&mut self, pod: Pod) -> Result<(), kube::Error> {
        let Some(node) = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .and_then(|name| self.nodes.number(name))
        else {
            return Ok(());
        };
        let Some(uid) = pod.metadata.uid.clone() else {
            return Ok(());
        };
        if pod.metadata.deletion_timestamp.is_some() {
            return self.finalize(&pod, &uid).await;
        }
        let ip = pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.as_deref())
            .and_then(|ip| ip.parse::<Ipv4Addr>().ok());
        if let Some(ip) = ip {
            self.addresses.mark_used(ip);
        }
        let wanted = next_stage(&pod, &behaviour(&pod));
        let previous = self.tracked.remove(&uid);
        let pending = match (wanted, previous.as_ref().and_then(|t| t.pending)) {
            (None, _) => None,
            // Already waiting for this very report: keep its due time.
            (Some(stage), Some(p)) if p.stage == stage => Some(p),
            (Some(stage), _) => Some(Pending {
                due: Instant::now() + self.settings.delay,
                stage,
            }),
        };
        let ip = ip.or(previous.and_then(|t| t.ip));
        self.tracked.insert(
            uid,
            Tracked {
                pod,
                node,
                ip,
                pending,
            },
        );
        Ok(())
    }

    /// What the kubelet does once a deleted pod's containers are gone: removes it for good.
    /// There are no containers to stop, so it happens at once.
    async fn finalize(&mut self, pod: &Pod, uid: &str) -> Result<(), kube::Error> {
        let (Some(name), Some(namespace)) = (&pod.metadata.name, &pod.metadata.namespace) else {
            return Ok(());
        };
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(Preconditions {
                uid: Some(uid.to_string()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match Api::<Pod>::namespaced(self.client.clone(), namespace)
            .delete(name, &params)
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn forget(&mut self, pod: &Pod) {
        let Some(uid) = &pod.metadata.uid else { return };
        if let Some(ip) = self.tracked.remove(uid).and_then(|t| t.ip) {
            self.addresses.release(ip);
        }
    }

    /// Sends every report whose time has come.
    async fn report_due(&mut self) -> Result<(), kube::Error> {
        let now_instant = Instant::now();
        let due: Vec<String> = self
            .tracked
            .iter()
            .filter(|(_, t)| t.pending.is_some_and(|p| p.due <= now_instant))
            .map(|(uid, _)| uid.clone())
            .collect();
        for uid in due {
            self.report(&uid).await?;
        }
        Ok(())
    }

    async fn report(&mut self, uid: &str) -> Result<(), kube::Error> {
        let Some(tracked) = self.tracked.get_mut(uid) else {
            return Ok(());
        };
        let Some(pending) = tracked.pending.take() else {
            return Ok(());
        };
        let ip = match tracked.ip {
            Some(ip) => ip,
            None => match self.addresses.allocate(tracked.node) {
                Some(ip) => {
                    tracked.ip = Some(ip);
                    ip
                }
                None => {
                    let message = format!(
                        "no free pod address on node {} for {:?}",
                        tracked.node, tracked.pod.metadata.name
                    );
                    self.log(&message);
                    return Ok(());
                }
            },
        };
        let placement = Placement {
            host_ip: Nodes::host_ip(tracked.node),
            pod_ip: ip,
        };
        let patch = status_patch(&tracked.pod, pending.stage, placement, &now());
        let (Some(name), Some(namespace)) = (
            tracked.pod.metadata.name.clone(),
            tracked.pod.metadata.namespace.clone(),
        ) else {
            return Ok(());
        };
        let api = Api::<Pod>::namespaced(self.client.clone(), &namespace);
        match api
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            // The watch brings the result, and with it the next report, if any.
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            // A new session lists the pod again and owes it the report again.
            Err(e) => Err(e),
        }
    }
}
