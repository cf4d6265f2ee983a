//! Work on many clusters at once: [`fan_out`] runs one job per cluster, bounded, each in its
//! own task, and every per-cluster loop of the provider goes through it; [`apply_many`] is the
//! server-side apply of several clusters on top of it.

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinError;

use crate::apply::{ApplyOptions, ApplyReport};
use crate::cluster::Cluster;

/// A job of [`fan_out`] that did not finish: it panicked, or its task was cancelled (only a
/// runtime shutting down does that).
#[derive(Debug, thiserror::Error)]
#[error("a task of the provider stopped: {0}")]
pub struct JobFailed(JoinError);

impl JobFailed {
    /// Re-raises the job's panic on the calling task, with its own payload.
    pub fn resume(self) -> ! {
        match self.0.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(cancelled) => panic!("a fan-out job was cancelled: {cancelled}"),
        }
    }
}

/// Runs `job` on every item, at most `parallelism` at a time (0 counts as 1), each in its own
/// tokio task so that one slow or unreachable cluster holds up no other. The results come back
/// in the items' order, whatever order the jobs finish in, so that what the caller reports is
/// deterministic. A job that panics does not stop the others: its place holds a [`JobFailed`],
/// which the caller turns into an error of its own (a provider serving Terraform should not
/// die because one cluster's job did) or re-raises. Must run inside a tokio runtime.
pub async fn fan_out<I, T, F, Fut>(
    items: I,
    parallelism: usize,
    job: F,
) -> Vec<Result<T, JobFailed>>
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
        results.push(handle.await.map_err(JobFailed));
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
    .into_iter()
    .map(|report| report.unwrap_or_else(|failed| failed.resume()))
    .collect()
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
        let results: Vec<u64> = results.into_iter().map(Result::unwrap).collect();
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
        let results: Vec<i32> = results.into_iter().map(Result::unwrap).collect();
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
    async fn a_panicking_job_stops_no_other_and_is_reported_in_its_place() {
        let results = fan_out([1, 2, 3], 2, |i| async move {
            assert!(i != 2, "cluster job failed");
            i
        })
        .await;
        assert_eq!(results[0].as_ref().ok(), Some(&1));
        assert!(results[1].is_err());
        assert_eq!(results[2].as_ref().ok(), Some(&3));
    }

    #[tokio::test]
    #[should_panic(expected = "cluster job failed")]
    async fn a_failed_job_can_be_re_raised() {
        let mut results = fan_out([1], 1, |_| async move {
            panic!("cluster job failed");
        })
        .await;
        let failed: JobFailed = results.remove(0).unwrap_err();
        failed.resume();
    }
}
