//! The inputs of organizational-life compliance, kept in memory and brought up to date from the
//! database's change log before every use.
//!
//! A group's rollup needs every organization of the group and every meeting it held in the year. Read
//! from the database on each request that is a million rows for a large enterprise, seconds of work;
//! kept here it is one query for the latest generation, one for what changed since (usually nothing
//! or a few organizations), and the computation. Several servers on one database stay right: each
//! asks the database what changed (`dangwu_store::lifelog`).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use dangwu_store::{Db, StoreError};
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

use super::compliance::{Forest, LifeUnit, YearCounts, add_counts};

/// Beyond this many changed organizations, reading everything again is as quick.
const MAX_CHANGES: i64 = 10_000;
/// Years kept at once (the current one and a few to compare with).
const MAX_YEARS: usize = 4;

#[derive(Default)]
pub struct LifeIndex {
    state: Mutex<IndexState>,
}

/// The index as of one generation of the change log.
#[derive(Default)]
pub struct IndexState {
    generation: i64,
    forest: Option<Forest>,
    years: HashMap<i32, YearCounts>,
    /// How the last refresh went, for the benchmark and the logs.
    pub last_refresh: Refresh,
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

impl LifeIndex {
    /// The index, up to date with the database, with the counts of `year` loaded. Held while the
    /// caller computes; other callers wait (the computation takes milliseconds).
    pub async fn read(&self, db: &Db, year: i32) -> Result<MutexGuard<'_, IndexState>, StoreError> {
        let mut state = self.state.lock().await;
        state.refresh(db).await?;
        if !state.years.contains_key(&year) {
            if state.years.len() >= MAX_YEARS {
                state.years.clear();
            }
            let (from, to) = year_range(year);
            let mut counts = YearCounts::new();
            add_counts(&mut counts, &db.held_counts_of(None, from, to).await?);
            state.years.insert(year, counts);
        }
        Ok(state)
    }
}

impl IndexState {
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

    async fn refresh(&mut self, db: &Db) -> Result<(), StoreError> {
        let latest = db.life_generation().await?;
        if self.forest.is_some() && latest == self.generation {
            self.last_refresh = Refresh::Unchanged;
            return Ok(());
        }
        let changes = if self.forest.is_some() {
            db.life_changes_since(self.generation, MAX_CHANGES + 1).await?
        } else {
            Vec::new()
        };
        // Generations are consecutive; a gap at the start means the log was pruned past ours.
        let follows = changes.first().is_some_and(|c| c.generation == self.generation + 1);
        if !follows || changes.len() as i64 > MAX_CHANGES {
            // Everything written up to `latest` is in what is read next; later changes are applied
            // again on the next refresh, which is harmless.
            let forest = Forest::new(db.life_org_rows(None).await?.into_iter().map(LifeUnit::from));
            self.forest = Some(forest);
            self.generation = latest;
            self.years.clear();
            self.last_refresh = Refresh::Full;
            return Ok(());
        }
        let mut seen = HashSet::new();
        let ids: Vec<Uuid> = changes.iter().map(|c| c.organization_id).filter(|id| seen.insert(*id)).collect();
        let rows = db.life_org_rows(Some(&ids)).await?;
        self.forest.as_mut().expect("checked above").apply(rows.into_iter().map(LifeUnit::from));
        for (year, counts) in &mut self.years {
            let (from, to) = year_range(*year);
            for id in &ids {
                counts.remove(id);
            }
            add_counts(counts, &db.held_counts_of(Some(&ids), from, to).await?);
        }
        self.generation = changes.last().map(|c| c.generation).unwrap_or(self.generation);
        self.last_refresh = Refresh::Changed(ids.len());
        Ok(())
    }
}
