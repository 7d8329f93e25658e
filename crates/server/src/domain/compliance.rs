//! Compliance of organizational life: what the rules require of an organization in a period, what was
//! held, and whether each due window is done, due, overdue or still to come. Pure computation over the
//! counts the store reads; the rules come from `dangwu_rules::orglife`.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use dangwu_rules::codes::{Attendance, RecordKind};
use dangwu_rules::org::{OrgKind, OrgStatus};
use dangwu_rules::orglife::{self, MeetingKind, OrgLifeFacts, Period, RequirementScope};
use dangwu_rules::{CalcError, RuleBook};
use dangwu_store::lifelog::LifeOrgRow;
use dangwu_store::meetings::HeldCount;
use serde::Serialize;
use uuid::Uuid;

/// The record kind that satisfies a requirement of the rules (书记讲党课 is a 党课 given by the secretary).
fn record_kind(kind: MeetingKind) -> (RecordKind, bool) {
    match kind {
        MeetingKind::GeneralMeeting => (RecordKind::GeneralMeeting, false),
        MeetingKind::BranchCommittee => (RecordKind::BranchCommittee, false),
        MeetingKind::PartyGroupMeeting => (RecordKind::PartyGroupMeeting, false),
        MeetingKind::PartyLecture => (RecordKind::PartyLecture, false),
        MeetingKind::SecretaryLecture => (RecordKind::PartyLecture, true),
        MeetingKind::ThemeDay => (RecordKind::ThemeDay, false),
        MeetingKind::LifeMeeting => (RecordKind::LifeMeeting, false),
        MeetingKind::DemocraticAppraisal => (RecordKind::DemocraticAppraisal, false),
        MeetingKind::HeartToHeartTalk => (RecordKind::HeartToHeartTalk, false),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    /// 已完成 (green)
    Done,
    /// 待完成 (yellow when `warning`)
    Due,
    /// 已逾期 (red)
    Overdue,
    /// 未开始
    Upcoming,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub partial: bool,
    pub required: u32,
    pub held: u32,
    pub status: WindowStatus,
    /// In the last days of an open window with the meeting not yet held.
    pub warning: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequirementView {
    /// The record kind to hold (`party_lecture` for 书记讲党课 too).
    pub kind: RecordKind,
    pub requirement: MeetingKind,
    pub label: &'static str,
    pub rule: &'static str,
    pub rule_status: dangwu_rules::RuleStatus,
    pub scope: RequirementScope,
    pub note: Option<String>,
    pub windows: Vec<WindowView>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub done: u32,
    pub due: u32,
    pub overdue: u32,
    pub upcoming: u32,
    pub warning: u32,
}

impl Tally {
    fn add(&mut self, status: WindowStatus, warning: bool) {
        match status {
            WindowStatus::Done => self.done += 1,
            WindowStatus::Due => self.due += 1,
            WindowStatus::Overdue => self.overdue += 1,
            WindowStatus::Upcoming => self.upcoming += 1,
        }
        if warning {
            self.warning += 1;
        }
    }

    /// Adds another tally (a child organization's) to this one.
    fn merge(&mut self, o: &Tally) {
        self.done += o.done;
        self.due += o.due;
        self.overdue += o.overdue;
        self.upcoming += o.upcoming;
        self.warning += o.warning;
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Compliance {
    pub organization_id: Uuid,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub parent_id: Option<Uuid>,
    pub depth: i64,
    pub requirements: Vec<RequirementView>,
    pub tally: Tally,
    /// A branch's 谈心谈话 pair by pair; absent where talks are not required or not judged.
    pub talks: Option<TalkView>,
}

/// Where the held meetings of a kind are counted in [`MonthCounts`]: its place in [`RecordKind::ALL`];
/// a 党课 given by the secretary is counted apart, in [`SECRETARY_LECTURE`].
fn slot(kind: RecordKind) -> usize {
    RecordKind::ALL.iter().position(|k| *k == kind).expect("every kind is in ALL")
}

const KIND_SLOTS: usize = RecordKind::ALL.len();
const SECRETARY_LECTURE: usize = KIND_SLOTS;

/// Held meetings of one organization in one year, per kind slot and month.
pub type MonthCounts = [[u16; 12]; KIND_SLOTS + 1];

/// Held meetings of a year by organization.
pub type YearCounts = HashMap<Uuid, Box<MonthCounts>>;

/// Adds held-meeting counts (of one year) to `counts`.
pub fn add_counts(counts: &mut YearCounts, rows: &[HeldCount]) {
    for r in rows {
        let own =
            if r.secretary_lecture && r.kind == RecordKind::PartyLecture { SECRETARY_LECTURE } else { slot(r.kind) };
        let n = u16::try_from(r.n).unwrap_or(u16::MAX);
        let months = counts.entry(r.organization_id).or_insert_with(|| Box::new([[0; 12]; KIND_SLOTS + 1]));
        let month = r.held_on.month0() as usize;
        months[own][month] = months[own][month].saturating_add(n);
        // A 组织生活会 or 党员大会 that carried the 民主评议党员 counts for it too (entered once).
        if r.with_appraisal && r.kind.may_carry_appraisal() {
            let appraisal = slot(RecordKind::DemocraticAppraisal);
            months[appraisal][month] = months[appraisal][month].saturating_add(n);
        }
    }
}

/// Where a requirement is counted: the slot of its record kind, and whether only the secretary's
/// lectures count (书记讲党课).
#[derive(Debug, Clone, Copy)]
struct Counted {
    slot: usize,
    secretary_only: bool,
}

impl Counted {
    fn of(kind: MeetingKind) -> Counted {
        let (record, secretary_only) = record_kind(kind);
        Counted { slot: slot(record), secretary_only }
    }

    /// Meetings held in months `from..=to` (0-based).
    fn held(self, counts: Option<&MonthCounts>, from: usize, to: usize) -> u32 {
        let Some(c) = counts else { return 0 };
        // The secretary's lectures are 党课 too: they count for 党课 and for 书记讲党课, for nothing else.
        let lectures = self.secretary_only || self.slot == slot(RecordKind::PartyLecture);
        (from..=to)
            .map(|m| {
                let own = if self.secretary_only { 0 } else { u32::from(c[self.slot][m]) };
                own + if lectures { u32::from(c[SECRETARY_LECTURE][m]) } else { 0 }
            })
            .sum()
    }
}

/// An organization as compliance sees it.
#[derive(Debug, Clone)]
pub struct LifeUnit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub active: bool,
    /// Seats on its committee (a branch with three or more has a 支部委员会).
    pub committee_seats: usize,
}

impl From<LifeOrgRow> for LifeUnit {
    fn from(r: LifeOrgRow) -> LifeUnit {
        LifeUnit {
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            short_name: r.short_name,
            kind: r.kind,
            active: r.status == OrgStatus::Active,
            committee_seats: r.committee.len(),
        }
    }
}

/// The organization tree: every organization, and the active children of each.
#[derive(Debug, Default)]
pub struct Forest {
    units: HashMap<Uuid, LifeUnit>,
    children: HashMap<Uuid, Vec<Uuid>>,
}

impl Forest {
    pub fn new(units: impl IntoIterator<Item = LifeUnit>) -> Forest {
        let mut forest = Forest::default();
        forest.apply(units);
        forest
    }

    /// Replaces (or adds) organizations, and re-links the tree if one of them is new, moved, or
    /// dissolved (most changes are a meeting held, which leaves the tree as it is).
    pub fn apply(&mut self, units: impl IntoIterator<Item = LifeUnit>) {
        let mut relink = false;
        for u in units {
            relink |= self.units.get(&u.id).is_none_or(|old| old.parent_id != u.parent_id || old.active != u.active);
            self.units.insert(u.id, u);
        }
        if !relink {
            return;
        }
        self.children.clear();
        for u in self.units.values().filter(|u| u.active) {
            if let Some(p) = u.parent_id {
                self.children.entry(p).or_default().push(u.id);
            }
        }
        self.children.values_mut().for_each(|c| c.sort_unstable());
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    fn children_of(&self, id: Uuid) -> &[Uuid] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    fn party_groups_of(&self, id: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.children_of(id)
            .iter()
            .copied()
            .filter(|c| self.units.get(c).is_some_and(|u| u.kind == OrgKind::PartyGroup))
    }

    /// The active organizations of `root`'s subtree, level by level (parents before children), each
    /// with its depth below `root` and its parent's position in the list; empty if `root` is unknown
    /// or dissolved.
    pub fn subtree(&self, root: Uuid) -> Vec<(&LifeUnit, u32, Option<usize>)> {
        let mut out: Vec<(&LifeUnit, u32, Option<usize>)> =
            self.units.get(&root).filter(|u| u.active).map(|u| (u, 0, None)).into_iter().collect();
        let mut i = 0;
        while i < out.len() {
            let (unit, depth, _) = out[i];
            out.extend(
                self.children_of(unit.id).iter().filter_map(|c| self.units.get(c)).map(|c| (c, depth + 1, Some(i))),
            );
            i += 1;
        }
        out
    }
}

/// A requirement with where its meetings are counted and each window as a range of months.
struct Req {
    req: orglife::Requirement,
    counted: Counted,
    months: Vec<(usize, usize)>,
}

impl Req {
    /// Meetings held in window `i`: the organization's own, or for a requirement on each party group
    /// those of the slowest group.
    fn held(&self, i: usize, own: Option<&MonthCounts>, groups: &[Option<&MonthCounts>]) -> u32 {
        let (from, to) = self.months[i];
        match self.req.scope {
            RequirementScope::EachPartyGroup => {
                groups.iter().map(|g| self.counted.held(*g, from, to)).min().unwrap_or(0)
            }
            _ => self.counted.held(own, from, to),
        }
    }
}

/// The requirements of each distinct set of facts in one year (a few kinds among thousands of organizations).
struct Requirements<'a> {
    rules: &'a RuleBook,
    period: Period,
    memo: HashMap<(OrgKind, bool, u32), Vec<Req>>,
}

impl<'a> Requirements<'a> {
    fn new(rules: &'a RuleBook, period: Period) -> Requirements<'a> {
        Requirements { rules, period, memo: HashMap::new() }
    }

    /// The organization's requirements (none for an organization of an unknown kind).
    fn of(&mut self, unit: &LifeUnit, party_groups: usize) -> Result<&[Req], CalcError> {
        let kind = unit.kind;
        let facts = OrgLifeFacts { kind, has_committee: unit.committee_seats >= 3, party_groups: party_groups as u32 };
        let key = (kind, facts.has_committee, facts.party_groups);
        if !self.memo.contains_key(&key) {
            let reqs = orglife::requirements(self.rules, &facts, self.period)?
                .into_iter()
                .map(|req| Req {
                    counted: Counted::of(req.meeting),
                    // A year's windows are whole months, quarters, halves or the year.
                    months: req.windows.iter().map(|w| (w.from.month0() as usize, w.to.month0() as usize)).collect(),
                    req,
                })
                .collect();
            self.memo.insert(key, reqs);
        }
        Ok(self.memo.get(&key).map(Vec::as_slice).unwrap_or(&[]))
    }
}

/// What an organization's windows are judged on: its own counts and its party groups'.
fn inputs<'c>(
    forest: &Forest,
    counts: &'c YearCounts,
    unit: &LifeUnit,
) -> (Option<&'c MonthCounts>, Vec<Option<&'c MonthCounts>>) {
    let groups = forest.party_groups_of(unit.id).map(|g| counts.get(&g).map(|c| &**c)).collect();
    (counts.get(&unit.id).map(|c| &**c), groups)
}

/// The status of a window with `held` meetings, as of `today`, and whether it warns.
fn window_status(w: &orglife::DueWindow, held: u32, today: NaiveDate, warning_days: i64) -> (WindowStatus, bool) {
    let status = if held >= w.count {
        WindowStatus::Done
    } else if w.to < today {
        WindowStatus::Overdue
    } else if w.from > today {
        WindowStatus::Upcoming
    } else {
        WindowStatus::Due
    };
    (status, status == WindowStatus::Due && (w.to - today).num_days() < warning_days)
}

/// One pair of people of a branch who have not talked enough this year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MissingPair {
    pub a: Uuid,
    pub a_name: String,
    pub b: Uuid,
    pub b_name: String,
    /// 支部委员之间 / 支部委员和党员之间 / 党员和党员之间.
    pub kind: &'static str,
    pub held: u32,
}

/// 谈心谈话 of a branch judged pair by pair (regulations 3.12, orglife.talk.per_pair_per_year).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TalkView {
    /// Pairs that must talk this year, and those that did enough.
    pub pairs: u32,
    pub covered: u32,
    pub per_pair: u32,
    /// The first pairs still missing (committee pairs first), at most [`MISSING_SHOWN`].
    pub missing: Vec<MissingPair>,
    pub missing_total: usize,
    pub met: bool,
    pub rule: &'static str,
    pub message: String,
}

/// How many missing pairs a calendar lists (a branch of 50 has 1,225 pairs).
pub const MISSING_SHOWN: usize = 50;

/// Judges the 谈心谈话 requirement of a calendar by pairs instead of by the number of talk records:
/// its windows count covered pairs against all pairs, and the calendar carries the missing ones.
pub fn judge_talks(
    c: &mut Compliance,
    coverage: dangwu_rules::talk::TalkCoverage<Uuid>,
    names: &HashMap<Uuid, String>,
    today: NaiveDate,
    warning_days: i64,
) {
    let name = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    for req in c.requirements.iter_mut().filter(|r| r.requirement == MeetingKind::HeartToHeartTalk) {
        for w in &mut req.windows {
            let due = orglife::DueWindow { from: w.from, to: w.to, count: coverage.pairs, partial: w.partial };
            w.required = coverage.pairs;
            w.held = coverage.covered;
            (w.status, w.warning) = window_status(&due, coverage.covered, today, warning_days);
        }
    }
    c.tally = Tally::default();
    for w in c.requirements.iter().flat_map(|r| &r.windows) {
        c.tally.add(w.status, w.warning);
    }
    c.talks = Some(TalkView {
        pairs: coverage.pairs,
        covered: coverage.covered,
        per_pair: coverage.per_pair,
        missing_total: coverage.missing.len(),
        missing: coverage
            .missing
            .iter()
            .take(MISSING_SHOWN)
            .map(|p| MissingPair {
                a: p.a,
                a_name: name(&p.a),
                b: p.b,
                b_name: name(&p.b),
                kind: p.kind.label(),
                held: p.held,
            })
            .collect(),
        met: coverage.met,
        rule: coverage.rule,
        message: coverage.message,
    });
}

/// The year's calendar of one organization: every window of every requirement with what was held.
/// `None` if the organization is unknown or dissolved.
pub fn calendar(
    rules: &RuleBook,
    forest: &Forest,
    counts: &YearCounts,
    org: Uuid,
    period: Period,
    today: NaiveDate,
    warning_days: i64,
) -> Result<Option<Compliance>, CalcError> {
    let Some(unit) = forest.units.get(&org).filter(|u| u.active) else { return Ok(None) };
    let mut reqs = Requirements::new(rules, period);
    let (own, groups) = inputs(forest, counts, unit);
    let mut tally = Tally::default();
    let mut views = Vec::new();
    for r in reqs.of(unit, groups.len())? {
        let windows: Vec<WindowView> = r
            .req
            .windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let held = r.held(i, own, &groups);
                let (status, warning) = window_status(w, held, today, warning_days);
                WindowView { from: w.from, to: w.to, partial: w.partial, required: w.count, held, status, warning }
            })
            .collect();
        windows.iter().for_each(|w| tally.add(w.status, w.warning));
        views.push(RequirementView {
            kind: record_kind(r.req.meeting).0,
            requirement: r.req.meeting,
            label: r.req.label,
            rule: r.req.rule,
            rule_status: r.req.status,
            scope: r.req.scope,
            note: r.req.note.clone(),
            windows,
        });
    }
    Ok(Some(Compliance {
        organization_id: unit.id,
        name: unit.name.clone(),
        short_name: unit.short_name.clone(),
        kind: unit.kind,
        parent_id: unit.parent_id,
        depth: 0,
        requirements: views,
        tally,
        talks: None,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KindTotal {
    pub kind: RecordKind,
    pub label: &'static str,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RollupRow {
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    /// Levels below the organization the rollup was asked for.
    pub depth: u32,
    /// Active sub-organizations.
    pub children: u32,
    /// The organization's own windows.
    pub own: Tally,
    /// Its own and every organization's below it.
    pub subtree: Tally,
}

/// A subtree's compliance: windows summed by kind, and each organization's own and subtree tallies
/// (parents before children).
#[derive(Debug)]
pub struct Rollup {
    pub kinds: Vec<KindTotal>,
    pub rows: Vec<RollupRow>,
    /// Requirements judged pair by pair (谈心谈话), which the sums leave out.
    pub not_summed: Vec<NotSummed>,
}

/// A requirement the rollup does not sum: 谈心谈话 is judged pair by pair among a branch's people
/// (regulations 3.12), which only the organization's own calendar does; counting talk records here
/// would call a branch done after one talk.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotSummed {
    pub kind: RecordKind,
    pub label: &'static str,
    pub rule: &'static str,
    /// Organizations of the subtree it applies to.
    pub organizations: u32,
}

impl Rollup {
    /// The organizations with overdue windows of their own, most overdue first.
    pub fn behind(&self) -> Vec<&RollupRow> {
        self.behind_order().into_iter().map(|i| &self.rows[i]).collect()
    }

    /// The places in `rows` of the organizations with overdue windows of their own, most overdue first.
    pub fn behind_order(&self) -> Vec<usize> {
        let mut behind: Vec<usize> = (0..self.rows.len()).filter(|&i| self.rows[i].own.overdue > 0).collect();
        let rows = &self.rows;
        behind.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            b.own.overdue.cmp(&a.own.overdue).then(a.depth.cmp(&b.depth)).then(a.name.cmp(&b.name))
        });
        behind
    }
}

/// Computes the compliance of every active organization of `root`'s subtree over `period` (a calendar
/// year), as of `today`, and sums it up the tree.
pub fn rollup(
    rules: &RuleBook,
    forest: &Forest,
    counts: &YearCounts,
    root: Uuid,
    period: Period,
    today: NaiveDate,
    warning_days: i64,
) -> Result<Rollup, CalcError> {
    let mut reqs = Requirements::new(rules, period);
    let mut kinds: Vec<KindTotal> = Vec::new();
    // Requirement label → its place in `kinds`.
    let mut kind_at: HashMap<&'static str, usize> = HashMap::new();
    let mut not_summed: Vec<NotSummed> = Vec::new();
    let subtree = forest.subtree(root);
    let mut rows: Vec<RollupRow> = Vec::with_capacity(subtree.len());
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(subtree.len());
    for &(unit, depth, parent) in &subtree {
        let (own_counts, groups) = inputs(forest, counts, unit);
        let mut own = Tally::default();
        for r in reqs.of(unit, groups.len())? {
            if r.req.scope == RequirementScope::EachPair {
                match not_summed.iter_mut().find(|n| n.label == r.req.label) {
                    Some(n) => n.organizations += 1,
                    None => not_summed.push(NotSummed {
                        kind: record_kind(r.req.meeting).0,
                        label: r.req.label,
                        rule: r.req.rule,
                        organizations: 1,
                    }),
                }
                continue;
            }
            let at = *kind_at.entry(r.req.label).or_insert_with(|| {
                kinds.push(KindTotal {
                    kind: record_kind(r.req.meeting).0,
                    label: r.req.label,
                    tally: Tally::default(),
                });
                kinds.len() - 1
            });
            for (i, w) in r.req.windows.iter().enumerate() {
                let (status, warning) = window_status(w, r.held(i, own_counts, &groups), today, warning_days);
                own.add(status, warning);
                kinds[at].tally.add(status, warning);
            }
        }
        rows.push(RollupRow {
            organization_id: unit.id,
            parent_id: unit.parent_id,
            name: unit.name.clone(),
            short_name: unit.short_name.clone(),
            kind: unit.kind,
            depth,
            children: forest.children_of(unit.id).len() as u32,
            subtree: own.clone(),
            own,
        });
        parents.push(parent);
    }
    // Children come after their parents: fold from the last row up.
    for i in (1..rows.len()).rev() {
        if let Some(p) = parents[i] {
            let child = rows[i].subtree.clone();
            rows[p].subtree.merge(&child);
        }
    }
    Ok(Rollup { kinds, rows, not_summed })
}

/// One member's participation: meetings attended of those they were expected at, and the run of
/// absences since they last attended.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Participation {
    pub member_id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub expected: u32,
    pub present: u32,
    pub leave: u32,
    pub absent: u32,
    /// Absences (not leave) since the last meeting attended.
    pub consecutive_absences: u32,
    pub last_present: Option<NaiveDate>,
}

pub fn participation(rows: &[dangwu_store::meetings::AttendanceRow]) -> Vec<Participation> {
    let mut out: Vec<Participation> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|p| p.member_id != r.member_id) {
            out.push(Participation {
                member_id: r.member_id,
                name: r.name.clone(),
                organization_id: r.organization_id,
                expected: 0,
                present: 0,
                leave: 0,
                absent: 0,
                consecutive_absences: 0,
                last_present: None,
            });
        }
        let p = out.last_mut().expect("pushed above");
        p.expected += 1;
        match r.status {
            Attendance::Present => {
                p.present += 1;
                p.consecutive_absences = 0;
                p.last_present = Some(r.held_on);
            }
            Attendance::Leave => p.leave += 1,
            Attendance::Absent => {
                p.absent += 1;
                p.consecutive_absences += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn unit(id: u128, parent: Option<u128>, kind: &str, seats: usize) -> LifeUnit {
        LifeUnit {
            id: Uuid::from_u128(id),
            parent_id: parent.map(Uuid::from_u128),
            name: format!("组织{id}"),
            short_name: String::new(),
            kind: OrgKind::from_code(kind).expect("a known organization kind"),
            active: true,
            committee_seats: seats,
        }
    }

    fn branch() -> LifeUnit {
        unit(1, None, "branch", 3)
    }

    fn year() -> Period {
        Period { from: d(1, 1), to: d(12, 31) }
    }

    fn counts(rows: &[HeldCount]) -> YearCounts {
        let mut c = YearCounts::new();
        add_counts(&mut c, rows);
        c
    }

    fn calendar_of(units: Vec<LifeUnit>, rows: &[HeldCount], org: u128, today: NaiveDate) -> Compliance {
        let rules = RuleBook::builtin().unwrap();
        let forest = Forest::new(units);
        calendar(&rules, &forest, &counts(rows), Uuid::from_u128(org), year(), today, 7).unwrap().unwrap()
    }

    fn committee_status(rows: &[HeldCount], today: NaiveDate, month: u32) -> (WindowStatus, bool) {
        let c = calendar_of(vec![branch()], rows, 1, today);
        let req = c.requirements.iter().find(|r| r.requirement == MeetingKind::BranchCommittee).unwrap();
        let w = req.windows.iter().find(|w| w.from == d(month, 1)).unwrap();
        (w.status, w.warning)
    }

    fn held(kind: &str, on: NaiveDate) -> HeldCount {
        held_by(1, kind, on)
    }

    fn held_by(org: u128, kind: &str, on: NaiveDate) -> HeldCount {
        HeldCount {
            organization_id: Uuid::from_u128(org),
            kind: RecordKind::from_code(kind).unwrap(),
            secretary_lecture: false,
            with_appraisal: false,
            held_on: on,
            n: 1,
        }
    }

    fn window_held(rows: &[HeldCount], requirement: MeetingKind) -> u32 {
        let c = calendar_of(vec![branch()], rows, 1, d(12, 31));
        let req = c.requirements.iter().find(|r| r.requirement == requirement).unwrap();
        req.windows.iter().map(|w| w.held).sum()
    }

    // A secretary's 党课 counts for 党课 and 书记讲党课, never for another kind.
    #[test]
    fn a_secretary_lecture_counts_only_as_a_lecture() {
        let mut lecture = held("party_lecture", d(5, 10));
        lecture.secretary_lecture = true;
        assert_eq!(window_held(std::slice::from_ref(&lecture), MeetingKind::ThemeDay), 0);
        assert_eq!(window_held(std::slice::from_ref(&lecture), MeetingKind::BranchCommittee), 0);
        assert!(window_held(std::slice::from_ref(&lecture), MeetingKind::PartyLecture) >= 1);
    }

    // regulations 3.9: 民主评议 held with the 组织生活会 (or decided at a 党员大会) is entered once.
    #[test]
    fn an_appraisal_held_with_the_life_meeting_counts_for_both() {
        let mut life = held("life_meeting", d(11, 20));
        assert_eq!(window_held(std::slice::from_ref(&life), MeetingKind::DemocraticAppraisal), 0);
        life.with_appraisal = true;
        assert_eq!(window_held(std::slice::from_ref(&life), MeetingKind::DemocraticAppraisal), 1);
        assert_eq!(window_held(std::slice::from_ref(&life), MeetingKind::LifeMeeting), 1);
        let mut theme = held("theme_day", d(11, 20));
        theme.with_appraisal = true;
        assert_eq!(window_held(&[theme], MeetingKind::DemocraticAppraisal), 0, "only kinds that may carry it");
    }

    // Rule orglife.branch_committee.frequency: 支委会 monthly.
    #[test]
    fn a_month_without_committee_meeting_is_overdue_once_over() {
        assert_eq!(committee_status(&[], d(4, 1), 3), (WindowStatus::Overdue, false));
        assert_eq!(committee_status(&[], d(3, 31), 3), (WindowStatus::Due, true));
        assert_eq!(committee_status(&[], d(3, 20), 3), (WindowStatus::Due, false));
        assert_eq!(committee_status(&[], d(3, 25), 3), (WindowStatus::Due, true), "last 7 days warn");
        assert_eq!(committee_status(&[], d(2, 20), 3), (WindowStatus::Upcoming, false));
    }

    #[test]
    fn one_held_on_the_last_day_counts() {
        let counts = [held("branch_committee", d(3, 31))];
        assert_eq!(committee_status(&counts, d(6, 1), 3), (WindowStatus::Done, false));
        // …and not for the next month.
        assert_eq!(committee_status(&counts, d(6, 1), 4), (WindowStatus::Overdue, false));
    }

    // Rule orglife.general_meeting.frequency: 支部党员大会 quarterly.
    #[test]
    fn quarter_rule_counts_any_day_of_the_quarter() {
        let c = calendar_of(vec![branch()], &[held("general_meeting", d(2, 14))], 1, d(7, 1));
        let req = c.requirements.iter().find(|r| r.requirement == MeetingKind::GeneralMeeting).unwrap();
        let statuses: Vec<WindowStatus> = req.windows.iter().map(|w| w.status).collect();
        assert_eq!(
            statuses,
            vec![WindowStatus::Done, WindowStatus::Overdue, WindowStatus::Due, WindowStatus::Upcoming]
        );
    }

    // A 党课 by the secretary counts for 党课 too; another lecturer's does not count for 书记讲党课.
    #[test]
    fn secretary_lectures_count_for_both_lecture_rules() {
        let mut by_secretary = held("party_lecture", d(3, 10));
        by_secretary.secretary_lecture = true;
        let c = calendar_of(vec![branch()], &[by_secretary, held("party_lecture", d(5, 10))], 1, d(12, 31));
        let held_for = |k: MeetingKind| -> u32 {
            c.requirements.iter().filter(|r| r.requirement == k).flat_map(|r| &r.windows).map(|w| w.held).sum()
        };
        assert_eq!(held_for(MeetingKind::SecretaryLecture), 1);
        assert_eq!(held_for(MeetingKind::PartyLecture), 2);
    }

    // Rule orglife.party_group.frequency: each party group holds its own; the branch is as far along as
    // the slowest group.
    #[test]
    fn party_group_rule_follows_the_slowest_group() {
        let units = vec![branch(), unit(2, Some(1), "party_group", 0), unit(3, Some(1), "party_group", 0)];
        let rows = [held_by(2, "party_group_meeting", d(1, 5)), held_by(3, "party_group_meeting", d(2, 5))];
        let c = calendar_of(units, &rows, 1, d(12, 31));
        let req = c.requirements.iter().find(|r| r.requirement == MeetingKind::PartyGroupMeeting).unwrap();
        assert!(req.windows.iter().all(|w| w.held == 0), "no month has a meeting of both groups");
    }

    #[test]
    fn rollup_sums_subtrees_and_lists_the_organizations_behind() {
        let rules = RuleBook::builtin().unwrap();
        let mut dissolved = unit(4, Some(1), "branch", 3);
        dissolved.active = false;
        let forest = Forest::new(vec![
            unit(1, None, "primary_committee", 5),
            unit(2, Some(1), "branch", 3),
            unit(3, Some(1), "branch", 3),
            dissolved,
        ]);
        let rows: Vec<HeldCount> = (1..=12).map(|m| held_by(2, "branch_committee", d(m, 3))).collect();
        let after_the_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let r = rollup(&rules, &forest, &counts(&rows), Uuid::from_u128(1), year(), after_the_year, 7).unwrap();
        let ids: Vec<u128> = r.rows.iter().map(|r| r.organization_id.as_u128()).collect();
        assert_eq!(ids, vec![1, 2, 3], "dissolved organizations are left out, parents first");
        let (top, b2, b3) = (&r.rows[0], &r.rows[1], &r.rows[2]);
        assert_eq!((top.depth, b2.depth, top.children), (0, 1, 2));
        let sum = |f: fn(&Tally) -> u32| f(&top.own) + f(&b2.subtree) + f(&b3.subtree);
        assert_eq!(top.subtree.done, sum(|t| t.done));
        assert_eq!(top.subtree.overdue, sum(|t| t.overdue));
        let committee = r.kinds.iter().find(|k| k.kind == RecordKind::BranchCommittee).unwrap();
        assert_eq!((committee.tally.done, committee.tally.overdue), (12, 12), "one branch held all 12, the other none");
        assert!(
            r.kinds.iter().all(|k| k.kind != RecordKind::HeartToHeartTalk),
            "talks are judged by pairs, not summed"
        );
        let talks = r.not_summed.iter().find(|n| n.kind == RecordKind::HeartToHeartTalk).unwrap();
        assert_eq!(talks.organizations, 2, "both active branches must hold talks");
        let behind: Vec<u128> = r.behind().iter().map(|r| r.organization_id.as_u128()).collect();
        assert_eq!(behind[0], 3, "the branch without meetings is the most behind");
    }

    #[test]
    fn participation_counts_the_run_of_absences() {
        use dangwu_store::meetings::AttendanceRow;
        let row = |day, status: &str| AttendanceRow {
            member_id: Uuid::from_u128(9),
            name: "甲".into(),
            organization_id: Uuid::from_u128(1),
            held_on: d(1, day),
            status: Attendance::from_code(status).unwrap(),
        };
        let p = participation(&[row(1, "present"), row(2, "absent"), row(3, "leave"), row(4, "absent")]);
        assert_eq!((p[0].expected, p[0].present, p[0].leave, p[0].absent, p[0].consecutive_absences), (4, 1, 1, 2, 2));
    }
}
