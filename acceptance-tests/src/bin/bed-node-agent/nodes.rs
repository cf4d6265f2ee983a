//! The bed's nodes of one cluster: their names, their Node objects (what a kubelet registers)
//! and their address ranges.
//!
//! Node `n` (from 1) of cluster `c` is `bed-<c>-node-<n>`, with InternalIP `10.0.0.<n>` and the
//! pod range `10.244.<n>.0/24`. Capacity and allocatable are the same on every node: 4 CPUs,
//! 8 GiB of memory, 110 pods. The Ready condition is set once, at registration: the bed runs
//! no node-lifecycle controller (see the README), so nothing expects heartbeats.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::{Value, json};

/// The nodes of one cluster.
#[derive(Debug, Clone)]
pub struct Nodes {
    cluster: String,
    count: u8,
}

impl Nodes {
    /// `count` nodes (1..=250) of `cluster`.
    pub fn new(cluster: &str, count: u8) -> Nodes {
        Nodes {
            cluster: cluster.to_string(),
            count,
        }
    }

    /// The node names, in order.
    pub fn names(&self) -> impl Iterator<Item = String> + '_ {
        (1..=self.count).map(|n| self.name(n))
    }

    fn name(&self, n: u8) -> String {
        format!("bed-{}-node-{n}", self.cluster)
    }

    /// The number (from 1) of the node called `name`, if it is one of these nodes.
    pub fn number(&self, name: &str) -> Option<u8> {
        let n: u8 = name
            .strip_prefix(&format!("bed-{}-node-", self.cluster))?
            .parse()
            .ok()?;
        (1..=self.count).contains(&n).then_some(n)
    }

    /// The InternalIP of node `n`.
    pub fn host_ip(n: u8) -> Ipv4Addr {
        Ipv4Addr::new(10, 0, 0, n)
    }

    /// The Node object of node `n`, status included (a create may set the status of a Node).
    pub fn object(&self, n: u8, now: &str) -> Value {
        let name = self.name(n);
        let resources =
            json!({"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "50Gi"});
        let condition = |kind: &str, status: &str, reason: &str, message: &str| {
            json!({
                "type": kind, "status": status, "reason": reason, "message": message,
                "lastHeartbeatTime": now, "lastTransitionTime": now,
            })
        };
        json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "testbed.clusternet.io/node-agent": "true",
                },
                "annotations": {
                    "testbed.clusternet.io/stand-in": "no kubelet runs here; the test bed's node agent reports pod status",
                },
            },
            "spec": {
                "podCIDR": format!("10.244.{n}.0/24"),
                "podCIDRs": [format!("10.244.{n}.0/24")],
            },
            "status": {
                "capacity": resources,
                "allocatable": resources,
                "conditions": [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "stand-in node"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "stand-in node"),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID", "stand-in node"),
                    condition("Ready", "True", "KubeletReady", "the test bed's node agent is serving this node"),
                ],
                "addresses": [
                    {"type": "InternalIP", "address": Self::host_ip(n).to_string()},
                    {"type": "Hostname", "address": name},
                ],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {
                    "machineID": format!("bed-{}-{n}", self.cluster),
                    "systemUUID": format!("bed-{}-{n}", self.cluster),
                    "bootID": format!("bed-{}-{n}", self.cluster),
                    "kernelVersion": "stand-in",
                    "osImage": "clusternet test bed node agent",
                    "containerRuntimeVersion": "bed-node-agent://0",
                    "kubeletVersion": "v1.20.2",
                    "kubeProxyVersion": "v1.20.2",
                    "operatingSystem": "linux",
                    "architecture": "amd64",
                },
            },
        })
    }
}

/// Pod addresses in use, per node: `10.244.<node>.2` to `.254`.
#[derive(Debug, Default)]
pub struct PodAddresses {
    used: BTreeMap<u8, BTreeSet<u8>>,
}

impl PodAddresses {
    /// Records `ip` as taken (a pod that already has it).
    pub fn mark_used(&mut self, ip: Ipv4Addr) {
        let [10, 244, node, host] = ip.octets() else {
            return;
        };
        self.used.entry(node).or_default().insert(host);
    }

    /// Frees `ip` (its pod is gone).
    pub fn release(&mut self, ip: Ipv4Addr) {
        let [10, 244, node, host] = ip.octets() else {
            return;
        };
        if let Some(hosts) = self.used.get_mut(&node) {
            hosts.remove(&host);
        }
    }

    /// The lowest free address of node `node`, now taken; `None` when the range is full.
    pub fn allocate(&mut self, node: u8) -> Option<Ipv4Addr> {
        let hosts = self.used.entry(node).or_default();
        let host = (2..=254).find(|h| !hosts.contains(h))?;
        hosts.insert(host);
        Some(Ipv4Addr::new(10, 244, node, host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_belong_to_their_cluster() {
        let nodes = Nodes::new("child-1", 2);
        assert_eq!(
            nodes.names().collect::<Vec<_>>(),
            ["bed-child-1-node-1", "bed-child-1-node-2"]
        );
        assert_eq!(nodes.number("bed-child-1-node-2"), Some(2));
        assert_eq!(nodes.number("bed-child-1-node-3"), None);
        assert_eq!(nodes.number("bed-child-10-node-1"), None);
        assert_eq!(nodes.number("worker"), None);
    }

    #[test]
    fn a_node_has_capacity_and_is_ready() {
        let node = Nodes::new("child-2", 2).object(1, "2024-05-01T10:00:00Z");
        assert_eq!(node["status"]["allocatable"]["pods"], "110");
        assert_eq!(node["metadata"]["labels"]["kubernetes.io/os"], "linux");
        let ready = &node["status"]["conditions"][3];
        assert_eq!(
            (&ready["type"], &ready["status"]),
            (&json!("Ready"), &json!("True"))
        );
    }

    #[test]
    fn pod_addresses_are_unique_per_node_and_reused_after_release() {
        let mut addresses = PodAddresses::default();
        addresses.mark_used(Ipv4Addr::new(10, 244, 1, 2));
        assert_eq!(addresses.allocate(1), Some(Ipv4Addr::new(10, 244, 1, 3)));
        assert_eq!(addresses.allocate(2), Some(Ipv4Addr::new(10, 244, 2, 2)));
        addresses.release(Ipv4Addr::new(10, 244, 1, 2));
        assert_eq!(addresses.allocate(1), Some(Ipv4Addr::new(10, 244, 1, 2)));
    }
}
