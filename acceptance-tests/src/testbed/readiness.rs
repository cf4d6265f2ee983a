//! Waiting for workloads on a child cluster to reach a state: a Deployment available, a Job
//! complete, a Service with ready endpoints.
//!
//! Every wait polls the object (every 200 ms) until a condition holds or a deadline passes,
//! never a fixed sleep. The states are computed by the real controllers of the bed (the
//! scheduler, the Deployment/ReplicaSet/Job/endpoints controllers); the node agent only
//! reports the pods' status, as a kubelet would.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::cluster::Cluster;
use super::error::{Result, TestbedError};

/// Whether a Deployment (as JSON) is rolled out and available: the controller saw its latest
/// generation, and every desired replica is updated and available.
pub fn deployment_available(deployment: &Value) -> bool {
    let generation = deployment["metadata"]["generation"].as_i64();
    let status = &deployment["status"];
    let observed = status["observedGeneration"].as_i64();
    let wanted = deployment["spec"]["replicas"].as_i64().unwrap_or(1);
    observed.is_some()
        && observed >= generation
        && status["updatedReplicas"].as_i64().unwrap_or(0) == wanted
        && status["availableReplicas"].as_i64().unwrap_or(0) == wanted
        && status["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Available" && c["status"] == "True")
}

/// Whether a Job (as JSON) has completed: its `Complete` condition is True.
pub fn job_complete(job: &Value) -> bool {
    job["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Complete" && c["status"] == "True")
}

/// The ready addresses (IPs) of an Endpoints object (as JSON), over all subsets.
pub fn ready_endpoint_addresses(endpoints: &Value) -> Vec<String> {
    endpoints["subsets"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|subset| subset["addresses"].as_array().into_iter().flatten())
        .filter_map(|address| address["ip"].as_str().map(str::to_string))
        .collect()
}

impl Cluster {
    /// Polls `kubectl get <kind> <name> -n <namespace> -o json` until `done` holds for the
    /// object, and returns it; a [`TestbedError::Timeout`] with the last object seen if it
    /// does not within `timeout`. `awaited` names the state in that error.
    pub fn wait_for(
        &self,
        kind: &str,
        name: &str,
        namespace: &str,
        awaited: &str,
        timeout: Duration,
        mut done: impl FnMut(&Value) -> bool,
    ) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.get_json([kind, name, "-n", namespace]) {
                Ok(object) if done(&object) => return Ok(object),
                Ok(object) => serde_json::to_string_pretty(&object).unwrap_or_default(),
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                return Err(TestbedError::Timeout {
                    what: format!("{kind} {name} -n {namespace} on {}", self.name()),
                    awaited: awaited.to_string(),
                    waited: timeout,
                    last,
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until Deployment `name` is available ([`deployment_available`]) and returns it.
    pub fn wait_deployment_available(
        &self,
        namespace: &str,
        name: &str,
        timeout: Duration,
    ) -> Result<Value> {
        self.wait_for(
            "deployment",
            name,
            namespace,
            "available",
            timeout,
            deployment_available,
        )
    }

    /// Waits until Job `name` has completed ([`job_complete`]) and returns it.
    pub fn wait_job_complete(
        &self,
        namespace: &str,
        name: &str,
        timeout: Duration,
    ) -> Result<Value> {
        self.wait_for("job", name, namespace, "complete", timeout, job_complete)
    }

    /// Waits until the Endpoints of Service `name` list `count` ready addresses, and returns
    /// them.
    pub fn wait_ready_endpoints(
        &self,
        namespace: &str,
        name: &str,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<String>> {
        let endpoints = self.wait_for(
            "endpoints",
            name,
            namespace,
            &format!("listing {count} ready addresses"),
            timeout,
            |e| ready_endpoint_addresses(e).len() == count,
        )?;
        Ok(ready_endpoint_addresses(&endpoints))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_deployment_is_available_once_the_latest_generation_is_fully_available() {
        let mut deployment = json!({
            "metadata": {"generation": 2},
            "spec": {"replicas": 3},
            "status": {
                "observedGeneration": 1, "updatedReplicas": 3, "availableReplicas": 3,
                "conditions": [{"type": "Available", "status": "True"}],
            },
        });
        assert!(!deployment_available(&deployment), "an older generation");
        deployment["status"]["observedGeneration"] = json!(2);
        assert!(deployment_available(&deployment));
        deployment["status"]["availableReplicas"] = json!(2);
        assert!(!deployment_available(&deployment), "one replica short");
    }

    #[test]
    fn endpoint_addresses_are_the_ready_ones_of_every_subset() {
        let endpoints = json!({"subsets": [
            {"addresses": [{"ip": "10.244.1.2"}], "notReadyAddresses": [{"ip": "10.244.1.3"}]},
            {"addresses": [{"ip": "10.244.2.2"}]},
        ]});
        assert_eq!(
            ready_endpoint_addresses(&endpoints),
            ["10.244.1.2", "10.244.2.2"]
        );
        assert!(ready_endpoint_addresses(&json!({})).is_empty());
    }
}
