//! The one optimistic-commit loop: read what a decision rests on, decide, commit with the facts
//! read as conditions; when a concurrent writer changed them the commit is stale, and the whole
//! step runs again on fresh reads after a short random pause. Every service that decides on
//! shared facts (orders, code claims, offer claims, survey requests, answers, follow-ups) runs
//! its step through here; the stores only report `Stale`, they never wait or retry.

use std::future::Future;
use std::time::Duration;

/// How many decisions are tried before the request gives up with a contention error (503 with
/// `Retry-After`): six stale commits in a row mean a hot item, not bad luck.
pub const MAX_DECISIONS: u32 = 6;

/// What one read → decide → commit step came to.
pub(crate) enum Step<T> {
    /// Committed, or decided without a write (a replay, a refusal).
    Done(T),
    /// A concurrent writer changed what the decision rested on.
    Stale,
}

/// Runs `step` until it is done, at most `MAX_DECISIONS` times; `contention` makes the error for
/// a step that stayed stale.
pub(crate) async fn until_done<T, E, F, Fut>(
    mut step: F,
    contention: impl FnOnce(u32) -> E,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Step<T>, E>>,
{
    for attempt in 0..MAX_DECISIONS {
        if attempt > 0 {
            tokio::time::sleep(backoff(attempt)).await;
        }
        if let Step::Done(done) = step().await? {
            return Ok(done);
        }
    }
    Err(contention(MAX_DECISIONS))
}

/// Exponential backoff with full jitter (5 ms, 10 ms, 20 ms … ceilings), so writers that raced
/// spread out instead of colliding again.
fn backoff(attempt: u32) -> Duration {
    let ceiling_ms = 5u64 << attempt.min(6);
    Duration::from_millis(rand::Rng::gen_range(
        &mut rand::thread_rng(),
        1..=ceiling_ms,
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_stale_step_runs_again_until_it_is_done() {
        let runs = AtomicU32::new(0);
        let done: Result<u32, String> = until_done(
            || async {
                let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                Ok(if run < 3 {
                    Step::Stale
                } else {
                    Step::Done(run)
                })
            },
            |attempts| format!("contention after {attempts}"),
        )
        .await;
        assert_eq!(done, Ok(3));
    }

    #[tokio::test]
    async fn a_step_that_stays_stale_gives_up_and_an_error_stops_at_once() {
        let runs = AtomicU32::new(0);
        let stale: Result<(), String> = until_done(
            || async {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(Step::Stale)
            },
            |attempts| format!("contention after {attempts}"),
        )
        .await;
        assert_eq!(stale, Err("contention after 6".to_owned()));
        assert_eq!(runs.load(Ordering::SeqCst), MAX_DECISIONS);

        let failed: Result<(), String> = until_done(
            || async { Err::<Step<()>, _>("store down".to_owned()) },
            |_| unreachable!("an error is not contention"),
        )
        .await;
        assert_eq!(failed, Err("store down".to_owned()));
    }
}
