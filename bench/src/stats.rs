//! Timing samples and their summary (min / median / p95, nearest rank).

use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut v = self.0.clone();
        v.sort();
        v
    }

    /// The sample at percentile `p` (0–100) by the nearest-rank method.
    pub fn percentile(&self, p: f64) -> Duration {
        let v = self.sorted();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        v[rank.min(v.len()) - 1]
    }

    pub fn min(&self) -> Duration {
        self.sorted().first().copied().unwrap_or_default()
    }

    pub fn median(&self) -> Duration {
        self.percentile(50.0)
    }

    pub fn p95(&self) -> Duration {
        self.percentile(95.0)
    }

    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({ "min_ms": ms(self.min()), "median_ms": ms(self.median()), "p95_ms": ms(self.p95()), "runs": self.0.len() })
    }
}

pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// A table line: label, then min / median / p95 in milliseconds.
pub fn line(label: &str, s: &Samples) -> String {
    format!("  {label:<44} {:>9.1} {:>9.1} {:>9.1}", ms(s.min()), ms(s.median()), ms(s.p95()))
}

pub fn header() -> String {
    format!("  {:<44} {:>9} {:>9} {:>9}", "ms", "min", "median", "p95")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut s = Samples::default();
        for i in 1..=20 {
            s.push(Duration::from_millis(i));
        }
        assert_eq!(s.min(), Duration::from_millis(1));
        assert_eq!(s.median(), Duration::from_millis(10));
        assert_eq!(s.p95(), Duration::from_millis(19));
    }
}
