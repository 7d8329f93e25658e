//! Answers computed once and shared: a bounded map from what an answer depends on to the answer, where
//! concurrent requests for a missing answer wait for one computation (single flight).
//!
//! The key must hold everything the answer depends on (for a dashboard: the organization, the year,
//! the generation of the change log, today's date, the settings that shape it). An answer is never
//! invalidated: a change makes a new key, which supersedes the answers for older generations of the
//! same question (they leave at once: under a stream of writes they would only fill the cache), and
//! answers no longer asked for leave by age when the cache is over its size. The cache knows nothing
//! of rights: the caller checks the requester's right to read before asking it (see
//! [`super::dashboards`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// A key made of a question and the generation of the data it was answered from.
pub trait GenerationKey: Eq + Hash + Clone {
    /// The key without its generation.
    type Question: Eq + Hash;
    fn question(&self) -> Self::Question;
    fn generation(&self) -> i64;
}

pub struct ResultCache<K: GenerationKey, V> {
    inner: Mutex<Inner<K, V>>,
    /// The most the weights of the kept answers add up to (the latest answer is kept whatever it weighs).
    capacity: usize,
    computed: AtomicU64,
}

struct Inner<K: GenerationKey, V> {
    entries: HashMap<K, Entry<V>>,
    /// The newest generation kept of each question.
    newest: HashMap<K::Question, K>,
    /// Ticks on every use: the entry used longest ago leaves first.
    clock: u64,
    weight: usize,
}

struct Entry<V> {
    cell: Arc<OnceCell<Arc<V>>>,
    used: u64,
    /// Zero while the answer is being computed.
    weight: usize,
}

impl<K: GenerationKey, V> ResultCache<K, V> {
    pub fn new(capacity: usize) -> ResultCache<K, V> {
        ResultCache {
            inner: Mutex::new(Inner { entries: HashMap::new(), newest: HashMap::new(), clock: 0, weight: 0 }),
            capacity,
            computed: AtomicU64::new(0),
        }
    }

    /// How many answers were computed (not found) since the start.
    pub fn computations(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }

    /// Answers kept now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while the lock was held leaves the map consistent (every step below is one insert
        // or remove), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept answer of `key`'s question at `key`'s generation or a newer one: computed from data
    /// at least as new as the key asks for.
    pub fn fresh(&self, key: &K) -> Option<Arc<V>> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let newest = inner.newest.get(&key.question())?.clone();
        if newest.generation() < key.generation() {
            return None;
        }
        let entry = inner.entries.get_mut(&newest)?;
        entry.used = now;
        entry.cell.get().cloned()
    }

    /// The answer for `key`: kept, being computed by another request (waited for), or computed now by
    /// `compute`. A failed or abandoned computation leaves nothing behind; the next request for the key
    /// computes it again. `weight` says how much a kept answer counts against the capacity.
    pub async fn get_or_compute<E, F, Fut>(&self, key: K, weight: impl Fn(&V) -> usize, compute: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = {
            let mut inner = self.lock();
            inner.clock += 1;
            let now = inner.clock;
            let entry = inner.entries.entry(key.clone()).or_insert_with(|| Entry {
                cell: Arc::new(OnceCell::new()),
                used: now,
                weight: 0,
            });
            entry.used = now;
            entry.cell.clone()
        };
        let result = cell
            .get_or_try_init(|| async {
                self.computed.fetch_add(1, Ordering::Relaxed);
                compute().await.map(Arc::new)
            })
            .await
            .cloned();
        let mut inner = self.lock();
        let same = |e: &Entry<V>| Arc::ptr_eq(&e.cell, &cell);
        match &result {
            Ok(value) => {
                let added = match inner.entries.get_mut(&key) {
                    Some(e) if same(e) && e.weight == 0 => {
                        e.weight = weight(value).max(1);
                        e.weight
                    }
                    _ => 0,
                };
                inner.weight += added;
                if added > 0 {
                    Self::supersede(&mut inner, &key);
                }
                self.evict(&mut inner, &key);
            }
            Err(_) => {
                if inner.entries.get(&key).is_some_and(|e| same(e) && e.cell.get().is_none()) {
                    inner.entries.remove(&key);
                }
            }
        }
        result
    }

    /// Keeps only the newest generation's answer of `key`'s question: an older one is dropped, and so is
    /// `key`'s own if a newer one is kept already (it was computed slower, and is still answered).
    fn supersede(inner: &mut Inner<K, V>, key: &K) {
        let question = key.question();
        let stale = match inner.newest.get(&question) {
            Some(newest) if newest.generation() > key.generation() => key.clone(),
            Some(newest) if newest != key => {
                let old = newest.clone();
                inner.newest.insert(question, key.clone());
                old
            }
            Some(_) => return,
            None => {
                inner.newest.insert(question, key.clone());
                return;
            }
        };
        Self::remove(inner, &stale);
    }

    fn remove(inner: &mut Inner<K, V>, key: &K) {
        if let Some(e) = inner.entries.remove(key) {
            inner.weight -= e.weight;
        }
        let question = key.question();
        if inner.newest.get(&question) == Some(key) {
            inner.newest.remove(&question);
        }
    }

    /// Drops the answers used longest ago until the rest fit, never the one just asked for.
    fn evict(&self, inner: &mut Inner<K, V>, keep: &K) {
        while inner.weight > self.capacity {
            let oldest = inner
                .entries
                .iter()
                .filter(|(k, e)| e.weight > 0 && *k != keep)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone());
            let Some(oldest) = oldest else { break };
            Self::remove(inner, &oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Each number its own question.
    impl GenerationKey for u32 {
        type Question = u32;
        fn question(&self) -> u32 {
            *self
        }
        fn generation(&self) -> i64 {
            0
        }
    }

    /// (question, generation).
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    struct Gen(u32, i64);

    impl GenerationKey for Gen {
        type Question = u32;
        fn question(&self) -> u32 {
            self.0
        }
        fn generation(&self) -> i64 {
            self.1
        }
    }

    #[tokio::test]
    async fn a_newer_generation_supersedes_the_older() {
        let cache: ResultCache<Gen, i64> = ResultCache::new(1_000);
        let get = |k: Gen| cache.get_or_compute(k.clone(), |_| 10, move || async move { Ok::<_, ()>(k.1) });
        get(Gen(1, 1)).await.unwrap();
        get(Gen(2, 1)).await.unwrap();
        get(Gen(1, 2)).await.unwrap();
        assert_eq!(cache.len(), 2, "question 1 keeps only generation 2");
        // An answer for an older generation computed late is answered, not kept.
        assert_eq!(*get(Gen(1, 1)).await.unwrap(), 1);
        assert_eq!(cache.len(), 2);
        let computed = cache.computations();
        get(Gen(1, 2)).await.unwrap();
        get(Gen(2, 1)).await.unwrap();
        assert_eq!(cache.computations(), computed, "the newest of each question was kept");
        assert_eq!(cache.lock().weight, 20);
        // Generation 2's answer serves a question asked at generation 1 or 2, never 3.
        assert_eq!(cache.fresh(&Gen(1, 1)).as_deref(), Some(&2));
        assert_eq!(cache.fresh(&Gen(1, 2)).as_deref(), Some(&2));
        assert_eq!(cache.fresh(&Gen(1, 3)), None);
        assert_eq!(cache.fresh(&Gen(3, 0)), None);
    }

    #[tokio::test]
    async fn concurrent_misses_compute_once() {
        let cache: Arc<ResultCache<u32, u32>> = Arc::new(ResultCache::new(100));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move {
                    cache
                        .get_or_compute(
                            7,
                            |_| 1,
                            || async {
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                Ok::<_, ()>(42)
                            },
                        )
                        .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(*t.await.unwrap().unwrap(), 42);
        }
        assert_eq!(cache.computations(), 1);
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept() {
        let cache: ResultCache<u32, u32> = ResultCache::new(100);
        assert!(cache.get_or_compute(1, |_| 1, || async { Err::<u32, _>("no") }).await.is_err());
        assert!(cache.is_empty());
        assert_eq!(*cache.get_or_compute(1, |_| 1, || async { Ok::<_, ()>(5) }).await.unwrap(), 5);
        assert_eq!(cache.computations(), 2);
    }

    #[tokio::test]
    async fn the_answer_used_longest_ago_leaves_first() {
        let cache: ResultCache<u32, u32> = ResultCache::new(3);
        let get = |k: u32| cache.get_or_compute(k, |_| 1, move || async move { Ok::<_, ()>(k) });
        for k in [1, 2, 3] {
            get(k).await.unwrap();
        }
        get(1).await.unwrap(); // 2 is now the oldest
        get(4).await.unwrap();
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.computations(), 4);
        get(1).await.unwrap();
        get(3).await.unwrap();
        assert_eq!(cache.computations(), 4, "1 and 3 were kept");
        get(2).await.unwrap();
        assert_eq!(cache.computations(), 5, "2 had left");
    }
}
