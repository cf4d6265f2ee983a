//! Applying to many clusters at once, bounded, each cluster in its own task.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;

use crate::apply::{ApplyOptions, ApplyReport};
use crate::cluster::Cluster;

/// One cluster's share of a multi-cluster apply.
#[derive(Debug, Clone)]
pub struct ClusterApply {
    /// The cluster.
    pub cluster: Cluster,
    /// Its desired objects.
    pub objects: Vec<Value>,
    /// How to apply them.
    pub options: ApplyOptions,
}

/// Applies to every cluster, at most `parallelism` clusters at a time, each in its own tokio
/// task (so one slow or unreachable cluster does not hold up the others). Reports come back in
/// input order. Must run inside a tokio runtime.
pub async fn apply_many(jobs: Vec<ClusterApply>, parallelism: usize) -> Vec<ApplyReport> {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|job| {
            let permits = permits.clone();
            tokio::spawn(async move {
                let _permit = permits
                    .acquire_owned()
                    .await
                    .expect("semaphore never closed");
                job.cluster.apply(job.objects, &job.options).await
            })
        })
        .collect();
    let mut reports = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(report) => reports.push(report),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("apply task cancelled: {e}"),
        }
    }
    reports
}
