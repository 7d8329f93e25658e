//! The inputs of organizational-life compliance, kept in memory and brought up to date from the
//! database's change log before every use.
//!
//! A group's rollup needs every organization of the group and every meeting it held in the year. Read
//! from the database on each request that is a million rows for a large enterprise, seconds of work;
//! kept here it is one query for the latest generation, one for what changed since (usually nothing
//! or a few organizations), and the computation. Several servers on one database stay right: each
//! asks the database what changed (`dangwu_store::lifelog`).
//!
//! Many computations read the index at once (a read lock each); a refresh reads the changes from the
//! database without any lock on the index and takes the write lock only to apply them, which is a
//! matter of microseconds. Refreshes are one at a time, so ten requests that find the same new
//! generation read it once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use dangwu_store::lifelog::LifeOrgRow;
use dangwu_store::meetings::HeldCount;
use dangwu_store::{Db, StoreError};
use tokio::sync::{Mutex, OwnedRwLockReadGuard, RwLock};
use uuid::Uuid;

use super::compliance::{Forest, LifeUnit, YearCounts, add_counts};

/// Beyond this many changed organizations, reading everything again is as quick.
const MAX_CHANGES: i64 = 10_000;
/// Years kept at once (the current one and a few to compare with).
const MAX_YEARS: usize = 4;

#[derive(Default)]
pub struct LifeIndex {
    /// Held by the one caller bringing the index up to date.
    refreshing: Mutex<()>,
    state: Arc<RwLock<IndexState>>,
}

/// The index as of one generation of the change log.
#[derive(Default)]
pub struct IndexState {
    generation: i64,
    forest: Option<Forest>,
    years: HashMap<i32, YearCounts>,
}

/// The index as one caller reads it, with what bringing it up to date took (for the benchmark and
/// the logs).
pub struct IndexRead {
    state: OwnedRwLockReadGuard<IndexState>,
    pub refreshed: Refresh,
}

impl std::ops::Deref for IndexRead {
    type Target = IndexState;

    fn deref(&self) -> &IndexState {
        &self.state
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Refresh {
    #[default]
    Unchanged,
    /// This many organizations were read again.
    Changed(usize),
    /// Everything was read (first use, or too far behind).
    Full,
}

fn year_range(year: i32) -> (NaiveDate, NaiveDate) {
    let day = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("a valid date");
    (day(1, 1), day(12, 31))
}

/// What a refresh read from the database, applied under the write lock.
enum Update {
    Full { forest: Forest, generation: i64 },
    Changed { ids: Vec<Uuid>, rows: Vec<LifeOrgRow>, counts: Vec<(i32, Vec<HeldCount>)>, generation: i64 },
}

impl LifeIndex {
    /// The index, at least as new as the database was when this was called, with the counts of
    /// `year` loaded. The guard may be held while computing (other readers go on; the next refresh
    /// waits for it), so a long computation belongs on the blocking pool.
    pub async fn read(&self, db: &Db, year: i32) -> Result<IndexRead, StoreError> {
        self.read_at(db, db.life_generation().await?, year).await
    }

    /// [`LifeIndex::read`] for a caller that has just read the latest generation itself.
    pub async fn read_at(&self, db: &Db, latest: i64, year: i32) -> Result<IndexRead, StoreError> {
        let mut refreshed = Refresh::Unchanged;
        loop {
            {
                let state = self.state.clone().read_owned().await;
                if state.is_current(latest, year) {
                    return Ok(IndexRead { state, refreshed });
                }
            }
            // Another refresh may drop the year again before this caller reads: then once more.
            refreshed = self.refresh(db, latest, year).await?;
        }
    }

    async fn refresh(&self, db: &Db, latest: i64, year: i32) -> Result<Refresh, StoreError> {
        let _one = self.refreshing.lock().await;
        // Only refreshes change the state, and they are one at a time: what is read here holds
        // until this refresh writes.
        let (generation, loaded, years) = {
            let state = self.state.read().await;
            if state.is_current(latest, year) {
                return Ok(Refresh::Unchanged);
            }
            (state.generation, state.forest.is_some(), state.years.keys().copied().collect::<Vec<_>>())
        };
        let update = if !loaded || generation < latest {
            Some(Self::read_changes(db, latest, generation, loaded, &years).await?)
        } else {
            None
        };
        let full = matches!(update, Some(Update::Full { .. }));
        let missing = full || !years.contains(&year);
        let year_counts = if missing {
            let (from, to) = year_range(year);
            Some(db.held_counts_of(None, from, to).await?)
        } else {
            None
        };

        let mut state = self.state.write().await;
        let refreshed = match update {
            None => Refresh::Unchanged,
            Some(Update::Full { forest, generation }) => {
                state.forest = Some(forest);
                state.generation = generation;
                state.years.clear();
                Refresh::Full
            }
            Some(Update::Changed { ids, rows, counts, generation }) => {
                state.forest.as_mut().expect("loaded").apply(rows.into_iter().map(LifeUnit::from));
                for (y, held) in counts {
                    let Some(kept) = state.years.get_mut(&y) else { continue };
                    for id in &ids {
                        kept.remove(id);
                    }
                    add_counts(kept, &held);
                }
                state.generation = generation;
                Refresh::Changed(ids.len())
            }
        };
        if let Some(held) = year_counts {
            if state.years.len() >= MAX_YEARS {
                state.years.clear();
            }
            let mut counts = YearCounts::new();
            add_counts(&mut counts, &held);
            state.years.insert(year, counts);
        }
        Ok(refreshed)
    }

    /// What changed since `generation`, or everything when that is quicker or the log cannot tell.
    /// `latest` was read before any of this, so a write committed in between is in what is read and
    /// in the log after `latest`, and is applied again on the next refresh, which is harmless.
    async fn read_changes(
        db: &Db,
        latest: i64,
        generation: i64,
        loaded: bool,
        years: &[i32],
    ) -> Result<Update, StoreError> {
        let changes = if loaded { db.life_changes_since(generation, MAX_CHANGES + 1).await? } else { Vec::new() };
        // Generations are consecutive; a gap at the start means the log was pruned past ours.
        let follows = changes.first().is_some_and(|c| c.generation == generation + 1);
        if !follows || changes.len() as i64 > MAX_CHANGES {
            let forest = Forest::new(db.life_org_rows(None).await?.into_iter().map(LifeUnit::from));
            return Ok(Update::Full { forest, generation: latest });
        }
        let mut seen = HashSet::new();
        let ids: Vec<Uuid> = changes.iter().map(|c| c.organization_id).filter(|id| seen.insert(*id)).collect();
        let rows = db.life_org_rows(Some(&ids)).await?;
        let mut counts = Vec::with_capacity(years.len());
        for &y in years {
            let (from, to) = year_range(y);
            counts.push((y, db.held_counts_of(Some(&ids), from, to).await?));
        }
        let generation = changes.last().map_or(generation, |c| c.generation);
        Ok(Update::Changed { ids, rows, counts, generation })
    }
}

impl IndexState {
    fn is_current(&self, latest: i64, year: i32) -> bool {
        self.forest.is_some() && self.generation >= latest && self.years.contains_key(&year)
    }

    pub fn forest(&self) -> &Forest {
        self.forest.as_ref().expect("loaded by LifeIndex::read")
    }

    /// The held meetings of a year loaded by [`LifeIndex::read`].
    pub fn counts(&self, year: i32) -> &YearCounts {
        &self.years[&year]
    }

    pub fn generation(&self) -> i64 {
        self.generation
    }
}
