//! Dashboards answered from results shared between requests: 50 people opening the group's rollup
//! compute it once.
//!
//! A result is kept per [`RollupKey`]: the organization, the year, the generation of the compliance
//! change log (so a recorded meeting makes a new key at once), today's date and the warning days. A key
//! is made only by [`rollup_key`], which checks the requester's right to read the organization first:
//! a kept answer is never served to someone who may not read it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use dangwu_rules::orglife::Period;
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::cache::{GenerationKey, ResultCache};
use super::compliance::{self, Rollup, RollupRow};
use super::lifeindex::LifeIndex;
use super::{Ctx, DomainError, DomainResult};

/// What a rollup depends on. Made only by [`rollup_key`], after the access check.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RollupKey {
    root: Uuid,
    year: i32,
    generation: i64,
    today: NaiveDate,
    warning_days: i64,
}

/// A rollup's question: its key without the generation.
type Question = (Uuid, i32, NaiveDate, i64);

/// One computation of a question's rollup, shared by the requests that joined it.
type Batch = Arc<OnceCell<Arc<RollupView>>>;

/// A question's computation under way (with the generation it started from) and the next one.
#[derive(Default)]
struct Turns {
    running: Option<(i64, Batch)>,
    pending: Option<Batch>,
}

impl GenerationKey for RollupKey {
    type Question = Question;

    fn question(&self) -> Self::Question {
        (self.root, self.year, self.today, self.warning_days)
    }

    fn generation(&self) -> i64 {
        self.generation
    }
}

/// A rollup's answer as sent: the rollup's key, the levels sent and the limit of the list behind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnswerKey(pub RollupKey, pub u32, pub usize);

impl GenerationKey for AnswerKey {
    type Question = (Question, u32, usize);

    fn question(&self) -> Self::Question {
        (self.0.question(), self.1, self.2)
    }

    fn generation(&self) -> i64 {
        self.0.generation
    }
}

impl RollupKey {
    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }
}

/// A subtree's rollup with the organizations behind already sorted.
#[derive(Debug)]
pub struct RollupView {
    pub rollup: Rollup,
    /// Places in `rollup.rows` of the organizations with overdue windows of their own, most overdue first.
    behind: Vec<usize>,
}

impl RollupView {
    pub fn behind(&self) -> impl ExactSizeIterator<Item = &RollupRow> {
        self.behind.iter().map(|&i| &self.rollup.rows[i])
    }

    /// The rows down to `depth` levels below the root (the rows come level by level).
    pub fn down_to(&self, depth: u32) -> &[RollupRow] {
        &self.rollup.rows[..self.rollup.rows.partition_point(|r| r.depth <= depth)]
    }
}

/// Bytes a kept rollup is counted as, per organization (the row, its names, the tallies).
const ROW_WEIGHT: usize = 256;
/// Kept rollups weigh at most this many bytes (about eight whole-group rollups of 40,000 organizations).
const ROLLUPS_CAPACITY: usize = 80 << 20;
/// Kept answers (serialized JSON) weigh at most this many bytes.
const ANSWERS_CAPACITY: usize = 32 << 20;

/// The results kept for the dashboards.
pub struct Dashboards {
    pub rollups: ResultCache<RollupKey, RollupView>,
    /// Whole answers of the rollup as sent (with the query options that shape them in the key).
    pub rollup_answers: ResultCache<AnswerKey, bytes::Bytes>,
    /// The computations of each question under way or next (see [`rollup`]).
    turns: std::sync::Mutex<HashMap<Question, Turns>>,
    /// Rollups computed at once: all cores but one. Under a stream of writes each rollup finds a
    /// new generation; computed side by side on two cores, they left the async workers no time,
    /// requests stopped moving for a few hundred milliseconds, and the queue for the database
    /// overflowed (hundreds of 503s in ten minutes of 500 users). Waiting here holds nothing.
    computing: Arc<tokio::sync::Semaphore>,
}

impl Default for Dashboards {
    fn default() -> Dashboards {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Dashboards {
            rollups: ResultCache::new(ROLLUPS_CAPACITY),
            rollup_answers: ResultCache::new(ANSWERS_CAPACITY),
            computing: Arc::new(tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))),
            turns: Default::default(),
        }
    }
}

/// Checks that `user` may read `root`'s compliance and names the rollup as of now: one read of the
/// grants, one of the change log's generation.
pub async fn rollup_key(
    ctx: &Ctx<'_>,
    user: Uuid,
    root: Uuid,
    period: Period,
    warning_days: i64,
) -> DomainResult<RollupKey> {
    ctx.db.check_readable(user, root).await?;
    let generation = ctx.db.life_generation().await?;
    Ok(RollupKey { root, year: period.from.year(), generation, today: ctx.today, warning_days })
}

/// The rollup of `key`: kept, or computed from the in-memory index, once however many ask at once.
///
/// Under a stream of writes every request finds a new generation, so a result kept per generation
/// rarely serves the next request. Instead, a request joins a computation of its question that reads
/// the index after the request began: the one under way if it started from the request's generation
/// or later, else the next one, which every request arriving before it starts joins. Each answer
/// counts every write committed before its request, and a question is computed at most once at a
/// time plus once more for all who came meanwhile.
pub async fn rollup(
    ctx: &Ctx<'_>,
    life: &LifeIndex,
    dashboards: &Dashboards,
    key: &RollupKey,
) -> DomainResult<Arc<RollupView>> {
    if let Some(kept) = dashboards.rollups.fresh(key) {
        return Ok(kept);
    }
    let question = key.question();
    let turns = || dashboards.turns.lock().unwrap_or_else(|p| p.into_inner());
    let batch = {
        let mut all = turns();
        let t = all.entry(question).or_default();
        match &t.running {
            Some((from, running)) if *from >= key.generation => running.clone(),
            _ => t.pending.get_or_insert_with(Default::default).clone(),
        }
    };
    let view = batch
        .get_or_try_init(|| async {
            // One turn on two cores, taken before the index's read lock: a rollup waiting for its
            // turn must not hold the lock that the next refresh (and every calendar) waits for. The
            // turn goes with the computation: a request gone leaves it running to its end.
            let turn = dashboards.computing.clone().acquire_owned().await.expect("never closed");
            let from = ctx.db.life_generation().await?;
            {
                let mut all = turns();
                let t = all.entry(question).or_default();
                if t.pending.as_ref().is_some_and(|p| Arc::ptr_eq(p, &batch)) {
                    t.pending = None;
                }
                t.running = Some((from, batch.clone()));
            }
            let computed = compute(ctx, life, dashboards, key, from, turn).await;
            let mut all = turns();
            if let Some(t) = all.get_mut(&question) {
                if t.running.as_ref().is_some_and(|(_, r)| Arc::ptr_eq(r, &batch)) {
                    t.running = None;
                }
                if t.running.is_none() && t.pending.is_none() {
                    all.remove(&question);
                }
            }
            computed
        })
        .await?;
    Ok(view.clone())
}

/// Computes `key`'s question from the index at generation `from` (read just now, at or past `key`'s)
/// or later, and keeps the result under the generation it was computed at.
async fn compute(
    ctx: &Ctx<'_>,
    life: &LifeIndex,
    dashboards: &Dashboards,
    key: &RollupKey,
    from: i64,
    turn: tokio::sync::OwnedSemaphorePermit,
) -> DomainResult<Arc<RollupView>> {
    let year = key.year;
    let period = Period {
        from: NaiveDate::from_ymd_opt(year, 1, 1).expect("a checked year"),
        to: NaiveDate::from_ymd_opt(year, 12, 31).expect("a checked year"),
    };
    let index = life.read_at(ctx.db, from, year).await?;
    let at = RollupKey { generation: index.generation(), ..key.clone() };
    let (rules, k) = (ctx.rules.clone(), at.clone());
    // Tens of milliseconds for a whole group: on the blocking pool, so that the async workers go on
    // answering everything else meanwhile.
    let view = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let (forest, counts) = (index.forest(), index.counts(year));
        let rollup = compliance::rollup(&rules, forest, counts, k.root, period, k.today, k.warning_days)?;
        drop(index);
        let behind = rollup.behind_order();
        Ok::<_, DomainError>(RollupView { rollup, behind })
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
    let weight = |v: &RollupView| v.rollup.rows.len() * ROW_WEIGHT;
    dashboards.rollups.get_or_compute(at, weight, || async { Ok::<_, DomainError>(view) }).await
}
