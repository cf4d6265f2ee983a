//! The replicas a child cluster can still host, computed from its Nodes and Pods the way
//! Clusternet's predictor (the agent's `pkg/predictor`) computes them for dynamic dividing.
//!
//! Upstream, per workload (its FeedInventory `replicaRequirements`):
//! 1. list the Nodes matching the pod template's `nodeSelector` (label equality only:
//!    `server.go` `MaxAcceptableReplicas`);
//! 2. drop Nodes with a `NoSchedule`/`NoExecute` taint the template does not tolerate (the
//!    `TaintToleration` filter plugin); none left is an error ("no feasible nodes found");
//! 3. per Node, allocatable minus the requests of the Pods bound to it that have not
//!    Succeeded or Failed, and minus one `pods` slot per such Pod (`DefaultComputer.Compute`);
//!    a Node whose Pods request more than it has fails the whole prediction;
//! 4. per Node, the minimum over the requested resources of free / request, and never more
//!    than the free pod slots (`Resource.MaxReplicaDivided`);
//! 5. the sum over Nodes (`DefaultAggregator.Aggregate`).
//!
//! Upstream does not look at Node conditions (`Ready`), `spec.unschedulable`, affinity,
//! topology spread or pod anti-affinity, and neither does this port.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::quantity::Quantity;
use crate::taints;
use crate::types::{Taint, Toleration};

/// A child cluster's Nodes and Pods as listed from its API server (JSON objects).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterResources {
    /// Every Node.
    pub nodes: Vec<Value>,
    /// Every Pod, all namespaces (Pods not bound to a Node count for nothing).
    pub pods: Vec<Value>,
}

/// Why no prediction could be made; upstream's predictor answers with an error then, and
/// the scheduler gets no availability for the cluster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PredictError {
    /// No Node matches the workload's nodeSelector and tolerations.
    #[error("no node matches the workload's nodeSelector and tolerations ({nodes} node(s) listed)")]
    NoFeasibleNode {
        /// Nodes listed before filtering.
        nodes: usize,
    },
    /// A Node's Pods request more of a resource than the Node has allocatable.
    #[error(
        "node {node}: its pods request more {resource} than it has allocatable ({requested} > {allocatable})"
    )]
    Overcommitted {
        /// The Node.
        node: String,
        /// The resource.
        resource: String,
        /// Allocatable.
        allocatable: i64,
        /// Requested by its Pods.
        requested: i64,
    },
}

/// Upstream's `utils.Resource`: milli-CPU, bytes, pod slots and scalar resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Resource {
    milli_cpu: i64,
    memory: i64,
    ephemeral_storage: i64,
    pods: i64,
    scalars: BTreeMap<String, i64>,
}

/// `Quantity.MilliValue()`: rounded up.
fn milli(q: &Quantity) -> i64 {
    q.nanos.div_euclid(1_000_000) as i64 + i64::from(q.nanos.rem_euclid(1_000_000) != 0)
}

/// `Quantity.Value()`: rounded up.
fn units(q: &Quantity) -> i64 {
    q.nanos.div_euclid(1_000_000_000) as i64 + i64::from(q.nanos.rem_euclid(1_000_000_000) != 0)
}

/// `utils.IsScalarResourceName`: extended (`example.com/gpu`), `hugepages-*`,
/// `*kubernetes.io/*` and `attachable-volumes-*` resources. The extended-name check skips
/// upstream's qualified-name validation (the API server validated the names already).
fn is_scalar(name: &str) -> bool {
    let prefixed_native = name.contains("kubernetes.io/");
    let extended = name.contains('/') && !prefixed_native && !name.starts_with("requests.");
    extended
        || prefixed_native
        || name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
}

/// A resource list (`{"cpu": "2", ...}`) parsed; unparsable quantities are left out (the
/// API server rejected them long before).
fn resource_list(value: &Value) -> Vec<(String, Quantity)> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .filter_map(|(name, q)| {
                    let text = match q {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some((name.clone(), Quantity::parse(&text)?))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Resource {
    /// `Resource.Add` (also `NewResource`, which adds to an empty one).
    fn add(&mut self, list: &[(String, Quantity)]) {
        for (name, q) in list {
            match name.as_str() {
                "cpu" => self.milli_cpu += milli(q),
                "memory" => self.memory += units(q),
                "pods" => self.pods += units(q),
                "ephemeral-storage" => self.ephemeral_storage += units(q),
                other if is_scalar(other) => {
                    *self.scalars.entry(other.to_string()).or_default() += units(q)
                }
                _ => {}
            }
        }
    }

    /// `Resource.SetMaxResource`.
    fn set_max(&mut self, list: &[(String, Quantity)]) {
        for (name, q) in list {
            let slot = match name.as_str() {
                "cpu" => {
                    self.milli_cpu = self.milli_cpu.max(milli(q));
                    continue;
                }
                "memory" => &mut self.memory,
                "pods" => &mut self.pods,
                "ephemeral-storage" => &mut self.ephemeral_storage,
                other if is_scalar(other) => self.scalars.entry(other.to_string()).or_default(),
                _ => continue,
            };
            *slot = (*slot).max(units(q));
        }
    }

    /// `Resource.AddPodRequest`: the containers' requests added, then each init
    /// container's taken as a maximum - against the running total of *every* pod added so
    /// far, as upstream accumulates all of a node's pods into one `Resource` (a quirk: an
    /// init container only counts when it alone exceeds that total), then the overhead.
    fn add_pod_request(&mut self, pod_spec: &Value) {
        let containers = |key: &str| {
            pod_spec[key]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|c| resource_list(&c["resources"]["requests"]))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        for requests in containers("containers") {
            self.add(&requests);
        }
        for requests in containers("initContainers") {
            self.set_max(&requests);
        }
        self.add(&resource_list(&pod_spec["overhead"]));
    }

    /// `Resource.Sub` of an occupied resource: every field of `occupied` (cpu, memory,
    /// ephemeral-storage, pods, and its scalars) must fit.
    fn sub(&mut self, occupied: &Resource, node: &str) -> Result<(), PredictError> {
        let over = |resource: &str, allocatable: i64, requested: i64| PredictError::Overcommitted {
            node: node.to_string(),
            resource: resource.to_string(),
            allocatable,
            requested,
        };
        let fields: [(&str, &mut i64, i64); 4] = [
            ("cpu (millicores)", &mut self.milli_cpu, occupied.milli_cpu),
            ("memory (bytes)", &mut self.memory, occupied.memory),
            ("pods", &mut self.pods, occupied.pods),
            (
                "ephemeral-storage (bytes)",
                &mut self.ephemeral_storage,
                occupied.ephemeral_storage,
            ),
        ];
        for (name, have, want) in fields {
            if *have < want {
                return Err(over(name, *have, want));
            }
            *have -= want;
        }
        for (name, &want) in &occupied.scalars {
            let have = self.scalars.get(name).copied();
            match have {
                None if want > 0 => return Err(over(name, 0, want)),
                None => {}
                Some(have) if have < want => return Err(over(name, have, want)),
                Some(have) => {
                    self.scalars.insert(name.clone(), have - want);
                }
            }
        }
        Ok(())
    }

    /// `Resource.MaxReplicaDivided`: the fewest replicas any requested resource allows,
    /// capped by the free pod slots (a request of `pods` itself is ignored, as upstream).
    fn max_replicas(&self, requests: &[(String, Quantity)]) -> i64 {
        let mut result = i64::from(i32::MAX);
        for (name, q) in requests {
            let (free, want) = match name.as_str() {
                "cpu" => (self.milli_cpu, milli(q)),
                "memory" => (self.memory, units(q)),
                "ephemeral-storage" => (self.ephemeral_storage, units(q)),
                other if is_scalar(other) => {
                    (self.scalars.get(other).copied().unwrap_or(0), units(q))
                }
                _ => continue,
            };
            if want > 0 {
                result = result.min(free / want);
            }
        }
        result.min(self.pods)
    }
}

/// Whether every `nodeSelector` pair is among the Node's labels (`labels.SelectorFromSet`).
fn selected(node: &Value, node_selector: &Value) -> bool {
    node_selector.as_object().is_none_or(|wanted| {
        wanted
            .iter()
            .all(|(k, v)| node["metadata"]["labels"].get(k) == Some(v))
    })
}

fn parse_or_default<T: serde::de::DeserializeOwned + Default>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

/// The replicas of a workload with `requirements` (its FeedInventory `replicaRequirements`:
/// `nodeSelector`, `tolerations`, `resources.requests`) that `cluster` can still host.
pub fn max_available_replicas(
    cluster: &ClusterResources,
    requirements: Option<&Value>,
) -> Result<i64, PredictError> {
    let none = Value::Null;
    let requirements = requirements.unwrap_or(&none);
    let tolerations: Vec<Toleration> = parse_or_default(&requirements["tolerations"]);
    let requests = resource_list(&requirements["resources"]["requests"]);
    let feasible: Vec<&Value> = cluster
        .nodes
        .iter()
        .filter(|node| selected(node, &requirements["nodeSelector"]))
        .filter(|node| {
            let node_taints: Vec<Taint> = parse_or_default(&node["spec"]["taints"]);
            taints::untolerated_hard_taint(&node_taints, &tolerations).is_none()
        })
        .collect();
    if feasible.is_empty() {
        return Err(PredictError::NoFeasibleNode {
            nodes: cluster.nodes.len(),
        });
    }
    let mut total = 0i64;
    for node in feasible {
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        let mut free = Resource::default();
        free.add(&resource_list(&node["status"]["allocatable"]));
        let mut occupied = Resource::default();
        let mut running = 0;
        for pod in cluster.pods.iter().filter(|p| {
            p["spec"]["nodeName"].as_str() == Some(name)
                && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
        }) {
            occupied.add_pod_request(&pod["spec"]);
            running += 1;
        }
        occupied.pods += running;
        free.sub(&occupied, name)?;
        total += free.max_replicas(&requests);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, cpu: &str, memory: &str, pods: i64) -> Value {
        json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
               "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods.to_string()}}})
    }

    fn pod(node: &str, cpu: &str, memory: &str, phase: &str) -> Value {
        json!({"spec": {"nodeName": node, "containers": [
                  {"name": "c", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]},
               "status": {"phase": phase}})
    }

    fn wants(cpu: &str, memory: &str) -> Value {
        json!({"resources": {"requests": {"cpu": cpu, "memory": memory}}})
    }

    // Upstream pkg/predictor/framework/plugins/defaultcompute/default_compute.go
    // DefaultComputer.Compute + pkg/utils/resource.go Resource.MaxReplicaDivided, summed by
    // defaultaggregate/default_aggregate.go DefaultAggregator.Aggregate.
    #[test]
    fn free_resources_divided_by_the_requests_summed_over_nodes() {
        let cluster = ClusterResources {
            nodes: vec![node("a", "4", "8Gi", 110), node("b", "2", "8Gi", 110)],
            pods: vec![
                pod("a", "1500m", "1Gi", "Running"),
                pod("b", "500m", "512Mi", "Pending"),
            ],
        };
        // a: 2500m free -> 5 of 500m; b: 1500m free -> 3.
        assert_eq!(
            max_available_replicas(&cluster, Some(&wants("500m", "256Mi"))),
            Ok(8)
        );
        // Memory binds: a has 7Gi free -> 3 of 2Gi, b 7.5Gi -> 3.
        assert_eq!(
            max_available_replicas(&cluster, Some(&wants("100m", "2Gi"))),
            Ok(6)
        );
    }

    // Upstream default_compute.go Compute: Succeeded and Failed pods are skipped; pods not
    // bound to a node (no spec.nodeName) are in no node's list (server.go
    // BuildGetPodsAssignedToNodeFunc).
    #[test]
    fn finished_and_unbound_pods_take_nothing() {
        let mut unbound = pod("a", "4", "1Gi", "Pending");
        unbound["spec"]["nodeName"] = Value::Null;
        let cluster = ClusterResources {
            nodes: vec![node("a", "4", "8Gi", 110)],
            pods: vec![
                pod("a", "4", "1Gi", "Succeeded"),
                pod("a", "4", "1Gi", "Failed"),
                unbound,
            ],
        };
        assert_eq!(
            max_available_replicas(&cluster, Some(&wants("1", "1Gi"))),
            Ok(4)
        );
    }

    // Upstream pkg/utils/resource.go Resource.MaxReplicaDivided: starts at MaxInt32, only
    // requests above 0 count, and the free pod slots always cap the result; each running pod
    // takes one slot (default_compute.go AddResourcePods).
    #[test]
    fn pod_slots_cap_the_result_and_no_requests_means_slots_only() {
        let cluster = ClusterResources {
            nodes: vec![node("a", "64", "256Gi", 5)],
            pods: vec![pod("a", "0", "0", "Running"), pod("a", "0", "0", "Running")],
        };
        assert_eq!(max_available_replicas(&cluster, None), Ok(3));
        assert_eq!(
            max_available_replicas(&cluster, Some(&wants("100m", "64Mi"))),
            Ok(3)
        );
    }

    // Upstream pkg/predictor/server.go MaxAcceptableReplicas: nodes listed by the template's
    // nodeSelector, then the TaintToleration filter
    // (plugins/tainttoleration/taint_toleration.go Filter: NoSchedule and NoExecute only),
    // and an error when no node is left.
    #[test]
    fn node_selector_and_hard_taints_filter_nodes() {
        let mut tainted = node("t", "8", "8Gi", 110);
        tainted["spec"] =
            json!({"taints": [{"key": "gpu", "value": "yes", "effect": "NoSchedule"}]});
        let mut soft = node("s", "8", "8Gi", 110);
        soft["spec"] = json!({"taints": [{"key": "x", "effect": "PreferNoSchedule"}]});
        let cluster = ClusterResources {
            nodes: vec![node("a", "1", "8Gi", 110), tainted, soft],
            pods: vec![],
        };
        let mut req = wants("1", "1Gi");
        assert_eq!(max_available_replicas(&cluster, Some(&req)), Ok(9));
        req["tolerations"] = json!([{"key": "gpu", "operator": "Exists"}]);
        assert_eq!(max_available_replicas(&cluster, Some(&req)), Ok(17));
        req["nodeSelector"] = json!({"kubernetes.io/hostname": "a"});
        assert_eq!(max_available_replicas(&cluster, Some(&req)), Ok(1));
        req["nodeSelector"] = json!({"kubernetes.io/hostname": "none"});
        assert_eq!(
            max_available_replicas(&cluster, Some(&req)),
            Err(PredictError::NoFeasibleNode { nodes: 3 })
        );
    }

    // Upstream pkg/utils/resource.go Resource.Sub returns an error when a node's pods
    // request more than it has, and RunComputePlugins (predictor framework/runtime) fails the
    // whole prediction on any node's error.
    #[test]
    fn an_overcommitted_node_fails_the_prediction() {
        let cluster = ClusterResources {
            nodes: vec![node("a", "1", "8Gi", 110), node("b", "4", "8Gi", 110)],
            pods: vec![pod("a", "2", "1Gi", "Running")],
        };
        assert_eq!(
            max_available_replicas(&cluster, Some(&wants("1", "1Gi"))),
            Err(PredictError::Overcommitted {
                node: "a".into(),
                resource: "cpu (millicores)".into(),
                allocatable: 1000,
                requested: 2000,
            })
        );
    }

    // Upstream pkg/utils/resource.go Resource.AddPodRequest: init containers are maxed into
    // the running total of all the node's pods so far, and the overhead is added.
    #[test]
    fn init_containers_max_into_the_running_total_and_overhead_adds() {
        let first = pod("a", "1", "1Gi", "Running");
        let second = json!({"spec": {"nodeName": "a",
            "containers": [{"resources": {"requests": {"cpu": "500m"}}}],
            "initContainers": [{"resources": {"requests": {"cpu": "1200m"}}}],
            "overhead": {"cpu": "100m"}}, "status": {"phase": "Running"}});
        // 1000m, +500m = 1500m, max(1500m, 1200m) = 1500m, +100m = 1600m: 2400m free.
        let cluster = ClusterResources {
            nodes: vec![node("a", "4", "8Gi", 110)],
            pods: vec![first, second],
        };
        assert_eq!(
            max_available_replicas(&cluster, Some(&wants("600m", "0"))),
            Ok(4)
        );
    }

    // Upstream pkg/utils/resource.go NewResource / MaxReplicaDivided: scalar (extended)
    // resources count like cpu; one the node lacks allows 0.
    #[test]
    fn extended_resources_divide_too() {
        let mut gpu = node("a", "8", "8Gi", 110);
        gpu["status"]["allocatable"]["example.com/gpu"] = json!("2");
        let cluster = ClusterResources {
            nodes: vec![gpu, node("b", "8", "8Gi", 110)],
            pods: vec![],
        };
        let req = json!({"resources": {"requests": {"cpu": "1", "example.com/gpu": "1"}}});
        assert_eq!(max_available_replicas(&cluster, Some(&req)), Ok(2));
    }
}
