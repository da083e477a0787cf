//! Thread pools and the one chunked-parallel pattern of the core.
//!
//! Determinism: rows are cut into chunks by a [`ChunkPlan`] that depends on the problem size
//! only, never on the thread count; each chunk produces a partial result, and partial results
//! are combined by the caller in chunk order. So 1 thread and 32 threads give bit-identical
//! results.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::error::{ClustorError, Result};
use crate::monitor::Monitor;

/// Pools are cached per thread count; the cache belongs to the process that built it, so a
/// forked child (whose copies of the parent's worker threads do not exist) builds its own.
struct PoolCache {
    pid: u32,
    pools: HashMap<usize, Arc<rayon::ThreadPool>>,
}

static POOLS: Mutex<Option<PoolCache>> = Mutex::new(None);

/// Number of logical CPUs (at least 1).
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Returns a pool of `n_threads` workers (0 means all CPUs), started on first use.
pub fn pool(n_threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    let n = if n_threads == 0 { available_threads() } else { n_threads };
    let pid = std::process::id();
    let mut guard = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if guard.as_ref().is_some_and(|c| c.pid != pid) {
        // Inherited from the parent through fork: its threads are gone here. Dropping the
        // pools would wait on those threads, so the old cache is leaked on purpose.
        if let Some(old) = guard.take() {
            std::mem::forget(old);
        }
    }
    let cache = guard.get_or_insert_with(|| PoolCache { pid, pools: HashMap::new() });
    if let Some(p) = cache.pools.get(&n) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("clustor-{i}"))
        .build()
        .map_err(|e| ClustorError::ThreadPool(n, e.to_string()))?;
    let p = Arc::new(p);
    cache.pools.insert(n, Arc::clone(&p));
    Ok(p)
}

/// How the rows `0..n` are cut into chunks. Depends on sizes only, never on threads.
#[derive(Debug, Clone, Copy)]
pub struct ChunkPlan {
    n: usize,
    chunk: usize,
}

/// Rows per chunk when partial results are small: small enough to balance, big enough to
/// amortise the per-chunk bookkeeping.
pub const DEFAULT_CHUNK_ROWS: usize = 256;

/// Chunks per pass of [`ChunkPlan::balanced`].
pub const BALANCED_CHUNKS: usize = 128;

/// Upper bound on the memory held by all the partial results of one pass.
const PARTIALS_BUDGET_BYTES: usize = 64 << 20;

impl ChunkPlan {
    /// Chunks of [`DEFAULT_CHUNK_ROWS`] rows, grown so that the partial results (each
    /// `partial_bytes` large) of all chunks together stay within a fixed memory budget.
    pub fn new(n: usize, partial_bytes: usize) -> Self {
        let max_chunks = (PARTIALS_BUDGET_BYTES / partial_bytes.max(1)).max(8);
        let min_chunk = n.div_ceil(max_chunks);
        Self { n, chunk: DEFAULT_CHUNK_ROWS.max(min_chunk).max(1) }
    }

    /// For passes whose per-chunk partial results (`partial_bytes` each) are cleared and
    /// reduced every pass (Lloyd's center sums): at most [`BALANCED_CHUNKS`] chunks of at
    /// least [`DEFAULT_CHUNK_ROWS`] rows. 128 chunks keep 4 or more per thread up to 32
    /// threads, while clearing and merging the partials stays a small share of the pass
    /// (K1, 200k rows: 782 chunks of 256 rows spent 7% of an iteration there).
    pub fn balanced(n: usize, partial_bytes: usize) -> Self {
        let base = Self::new(n, partial_bytes);
        Self { n, chunk: base.chunk.max(n.div_ceil(BALANCED_CHUNKS)) }
    }

    /// Fixed number of rows per chunk (the last may be shorter).
    pub fn with_chunk_rows(n: usize, chunk: usize) -> Self {
        Self { n, chunk: chunk.max(1) }
    }

    /// Number of chunks.
    pub fn len(&self) -> usize {
        self.n.div_ceil(self.chunk)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Rows per chunk.
    pub fn chunk_rows(&self) -> usize {
        self.chunk
    }

    /// Rows of chunk `c`.
    pub fn range(&self, c: usize) -> Range<usize> {
        let s = c * self.chunk;
        s..(s + self.chunk).min(self.n)
    }
}

/// Runs `f(rows)` for every chunk on `pool`; the results come back in chunk order.
pub fn map_chunks<R, F>(pool: &rayon::ThreadPool, plan: ChunkPlan, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(Range<usize>) -> R + Sync,
{
    pool.install(|| (0..plan.len()).into_par_iter().map(|c| f(plan.range(c))).collect())
}

/// Like [`map_chunks`], also lending each chunk its own rows of a per-row output `a`
/// holding `wa` values per row.
pub fn map_chunks_mut<A, R, F>(pool: &rayon::ThreadPool, plan: ChunkPlan, a: &mut [A], wa: usize, f: F) -> Vec<R>
where
    A: Send,
    R: Send,
    F: Fn(Range<usize>, &mut [A]) -> R + Sync,
{
    debug_assert_eq!(a.len(), plan.n * wa);
    let rows = plan.chunk_rows();
    pool.install(|| a.par_chunks_mut((rows * wa).max(1)).enumerate().map(|(c, ca)| f(plan.range(c), ca)).collect())
}

/// Work (multiply-adds, roughly) between two polls of the monitor: about 20–50 ms on one
/// core, so Ctrl-C is seen well within a second even when one pass takes minutes.
pub const POLL_WORK: usize = 1 << 27;

/// Like [`map_chunks_mut`], also lending chunk `c` the caller's `states[c]` (one per chunk):
/// partial-result buffers that live across passes, so that an iterative algorithm does not
/// allocate (and page-fault) them again every pass.
///
/// Long passes are cut into batches of chunks (about [`POLL_WORK`] / `work_per_row` rows,
/// at least one chunk per worker), and `mon` is polled on the calling thread before each
/// batch: Python delivers Ctrl-C to its main thread only. Every chunk still computes the
/// same thing and results stay in chunk order, so the batching never changes a result.
pub fn map_chunks_mut_state<A, S, R, F>(
    pool: &rayon::ThreadPool,
    plan: ChunkPlan,
    a: &mut [A],
    wa: usize,
    states: &mut [S],
    work_per_row: usize,
    mon: &dyn Monitor,
    f: F,
) -> Result<Vec<R>>
where
    A: Send,
    S: Send,
    R: Send,
    F: Fn(Range<usize>, &mut [A], &mut S) -> R + Sync,
{
    debug_assert_eq!(a.len(), plan.n * wa);
    assert_eq!(states.len(), plan.len(), "one state per chunk");
    let rows = plan.chunk_rows();
    let chunk_work = rows.saturating_mul(work_per_row.max(1));
    let batch = (POLL_WORK / chunk_work.max(1)).max(pool.current_num_threads()).max(1);
    let mut out = Vec::with_capacity(plan.len());
    let a_batch = (batch * rows * wa).max(1);
    for (b, (ab, sb)) in a.chunks_mut(a_batch).zip(states.chunks_mut(batch)).enumerate() {
        mon.check()?;
        let first = b * batch;
        let part: Vec<R> = pool.install(|| {
            ab.par_chunks_mut((rows * wa).max(1))
                .zip(sb.par_iter_mut())
                .enumerate()
                .map(|(c, (ca, s))| f(plan.range(first + c), ca, s))
                .collect()
        });
        out.extend(part);
    }
    Ok(out)
}

/// Like [`map_chunks`] for long passes: the chunks run in batches of about [`POLL_WORK`] /
/// `work_per_row` rows (at least one chunk per worker), and `mon` is polled on the calling
/// thread before each batch. Results come back in chunk order, whatever the batching.
pub fn map_chunks_polled<R, F>(
    pool: &rayon::ThreadPool,
    plan: ChunkPlan,
    work_per_row: usize,
    mon: &dyn Monitor,
    f: F,
) -> Result<Vec<R>>
where
    R: Send,
    F: Fn(Range<usize>) -> R + Sync,
{
    let mut out = Vec::with_capacity(plan.len());
    fold_chunks_polled(pool, plan, work_per_row, mon, f, |_, r| out.push(r))?;
    Ok(out)
}

/// Like [`map_chunks_polled`], handing each chunk's result to `fold(c, result)` on the
/// calling thread, in chunk order, as soon as its batch is done: partial results that are
/// large (one value per row of the whole problem) are reduced and dropped batch by batch
/// instead of all being held at once. The order of the `fold` calls never depends on the
/// batching or the thread count.
pub fn fold_chunks_polled<R, F, G>(
    pool: &rayon::ThreadPool,
    plan: ChunkPlan,
    work_per_row: usize,
    mon: &dyn Monitor,
    f: F,
    mut fold: G,
) -> Result<()>
where
    R: Send,
    F: Fn(Range<usize>) -> R + Sync,
    G: FnMut(usize, R),
{
    let chunk_work = plan.chunk_rows().saturating_mul(work_per_row.max(1));
    let batch = (POLL_WORK / chunk_work.max(1)).max(pool.current_num_threads()).max(1);
    let mut first = 0;
    while first < plan.len() {
        mon.check()?;
        let last = (first + batch).min(plan.len());
        let part: Vec<R> = pool.install(|| (first..last).into_par_iter().map(|c| f(plan.range(c))).collect());
        for (c, r) in (first..).zip(part) {
            fold(c, r);
        }
        first = last;
    }
    Ok(())
}

/// Like [`map_chunks_mut`] with two per-row outputs: `a` (`wa` values per row) and `b`
/// (`wb` values per row).
pub fn map_chunks_mut2<A, B, R, F>(
    pool: &rayon::ThreadPool,
    plan: ChunkPlan,
    a: &mut [A],
    wa: usize,
    b: &mut [B],
    wb: usize,
    f: F,
) -> Vec<R>
where
    A: Send,
    B: Send,
    R: Send,
    F: Fn(Range<usize>, &mut [A], &mut [B]) -> R + Sync,
{
    debug_assert_eq!(a.len(), plan.n * wa);
    debug_assert_eq!(b.len(), plan.n * wb);
    let rows = plan.chunk_rows();
    pool.install(|| {
        a.par_chunks_mut((rows * wa).max(1))
            .zip(b.par_chunks_mut((rows * wb).max(1)))
            .enumerate()
            .map(|(c, (ca, cb))| f(plan.range(c), ca, cb))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    #[test]
    fn plan_covers_rows_once() {
        let plan = ChunkPlan::new(1000, 8);
        let mut seen = vec![0u8; 1000];
        for c in 0..plan.len() {
            for i in plan.range(c) {
                seen[i] += 1;
            }
        }
        assert!(seen.iter().all(|&s| s == 1));
    }

    #[test]
    fn plan_bounds_partials_memory() {
        let plan = ChunkPlan::new(10_000_000, 1 << 20);
        assert!(plan.len() * (1 << 20) <= PARTIALS_BUDGET_BYTES);
    }

    #[test]
    fn results_in_chunk_order_for_any_thread_count() {
        let plan = ChunkPlan::with_chunk_rows(1003, 10);
        let one = map_chunks(&pool(1).unwrap(), plan, |r| r.start);
        let two = map_chunks(&pool(2).unwrap(), plan, |r| r.start);
        assert_eq!(one, two);
        assert_eq!(one[3], 30);
    }

    #[test]
    fn chunk_states_follow_their_chunks() {
        let plan = ChunkPlan::with_chunk_rows(10, 4);
        let mut a = vec![0usize; 10];
        let mut states = vec![0usize; plan.len()];
        // Small work: one batch; huge work per row: a batch per two chunks. Same results.
        for work in [1, POLL_WORK] {
            let r = map_chunks_mut_state(
                &pool(2).unwrap(),
                plan,
                &mut a,
                1,
                &mut states,
                work,
                &Silent,
                |rows, ca, s: &mut usize| {
                    *s += rows.len();
                    ca.iter_mut().for_each(|v| *v += 1);
                    rows.start
                },
            );
            assert_eq!(r.unwrap(), vec![0, 4, 8]);
        }
        assert_eq!(states, vec![8, 8, 4]);
        assert!(a.iter().all(|&v| v == 2));
    }

    #[test]
    fn long_pass_polls_between_batches() {
        struct StopSecond(std::sync::atomic::AtomicUsize);
        impl Monitor for StopSecond {
            fn check(&self) -> Result<()> {
                if self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 1 {
                    Err(ClustorError::Interrupted)
                } else {
                    Ok(())
                }
            }
        }
        let plan = ChunkPlan::with_chunk_rows(100, 10);
        let mut a = vec![0usize; 100];
        let mut states = vec![0usize; plan.len()];
        let mon = StopSecond(Default::default());
        let r = map_chunks_mut_state(
            &pool(1).unwrap(),
            plan,
            &mut a,
            1,
            &mut states,
            POLL_WORK,
            &mon,
            |_, _, s: &mut usize| {
                *s += 1;
            },
        );
        assert_eq!(r.unwrap_err(), ClustorError::Interrupted);
        // Only the first batch (one chunk on one thread) ran.
        assert_eq!(states.iter().sum::<usize>(), 1);
    }

    #[test]
    fn polled_chunks_in_order_and_interruptible() {
        let plan = ChunkPlan::with_chunk_rows(95, 10);
        for work in [1, POLL_WORK] {
            let r = map_chunks_polled(&pool(2).unwrap(), plan, work, &Silent, |rows| rows.start);
            assert_eq!(r.unwrap(), (0..10).map(|c| c * 10).collect::<Vec<_>>());
        }
        struct Stop;
        impl Monitor for Stop {
            fn check(&self) -> Result<()> {
                Err(ClustorError::Interrupted)
            }
        }
        let r = map_chunks_polled(&pool(1).unwrap(), plan, 1, &Stop, |rows| rows.start);
        assert_eq!(r.unwrap_err(), ClustorError::Interrupted);
    }

    #[test]
    fn folds_run_in_chunk_order_for_any_batching() {
        let plan = ChunkPlan::with_chunk_rows(95, 10);
        for (threads, work) in [(1, 1), (2, 1), (2, POLL_WORK)] {
            let mut seen = Vec::new();
            fold_chunks_polled(
                &pool(threads).unwrap(),
                plan,
                work,
                &Silent,
                |rows| rows.start,
                |c, r| seen.push((c, r)),
            )
            .unwrap();
            assert_eq!(seen, (0..10).map(|c| (c, c * 10)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn mut_chunks_get_their_rows() {
        let plan = ChunkPlan::with_chunk_rows(7, 3);
        let mut a = vec![0usize; 7];
        let mut b = vec![0usize; 14];
        map_chunks_mut2(&pool(2).unwrap(), plan, &mut a, 1, &mut b, 2, |r, ca, cb| {
            for (j, i) in r.clone().enumerate() {
                ca[j] = i;
                cb[2 * j] = i;
                cb[2 * j + 1] = i;
            }
        });
        assert_eq!(a, (0..7).collect::<Vec<_>>());
        assert_eq!(b[13], 6);
    }
}
