//! Work on many clusters at once: [`fan_out`] runs one job per cluster, bounded, each in its
//! own task, and every per-cluster loop of the provider goes through it; [`apply_many`] is the
//! server-side apply of several clusters on top of it.

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;

use crate::apply::{ApplyOptions, ApplyReport};
use crate::cluster::Cluster;

/// Runs `job` on every item, at most `parallelism` at a time (0 counts as 1), each in its own
/// tokio task so that one slow or unreachable cluster holds up no other. The results come back
/// in the items' order, whatever order the jobs finish in, so that what the caller reports is
/// deterministic. A job that panics re-raises its panic here: a bug stops the call rather than
/// losing one cluster's result. Must run inside a tokio runtime.
pub async fn fan_out<I, T, F, Fut>(items: I, parallelism: usize, job: F) -> Vec<T>
where
    I: IntoIterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let handles: Vec<_> = items
        .into_iter()
        .map(|item| {
            let permits = permits.clone();
            let work = job(item);
            tokio::spawn(async move {
                let _permit = permits
                    .acquire_owned()
                    .await
                    .expect("semaphore never closed");
                work.await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(result) => results.push(result),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("a fan-out task was cancelled: {e}"),
        }
    }
    results
}

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

/// Applies to every cluster, at most `parallelism` clusters at a time (see [`fan_out`]).
/// Reports come back in input order. Must run inside a tokio runtime.
pub async fn apply_many(jobs: Vec<ClusterApply>, parallelism: usize) -> Vec<ApplyReport> {
    fan_out(jobs, parallelism, |job| async move {
        job.cluster.apply(job.objects, &job.options).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn results_keep_the_items_order_whatever_finishes_first() {
        let results = fan_out(vec![30u64, 0, 15], 3, |delay| async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            delay
        })
        .await;
        assert_eq!(results, vec![30, 0, 15]);
    }

    #[tokio::test]
    async fn no_more_than_parallelism_jobs_run_at_once() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let results = fan_out(0..12, 3, |i| {
            let (running, most) = (running.clone(), most.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                i
            }
        })
        .await;
        assert_eq!(results, (0..12).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_parallelism_of_zero_runs_one_at_a_time() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        fan_out(0..4, 0, |_| {
            let (running, most) = (running.clone(), most.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
                running.fetch_sub(1, Ordering::SeqCst);
            }
        })
        .await;
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    #[should_panic(expected = "cluster job failed")]
    async fn a_panicking_job_is_not_lost() {
        fan_out([1, 2], 2, |i| async move {
            assert!(i != 2, "cluster job failed");
        })
        .await;
    }
}
