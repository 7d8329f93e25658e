//! Compliance of organizational life: what the rules require of an organization in a period, what was
//! held, and whether each due window is done, due, overdue or still to come. Pure computation over the
//! counts the store reads; the rules come from `dangwu_rules::orglife`.

use std::collections::HashMap;

use chrono::NaiveDate;
use dangwu_rules::org::OrgKind;
use dangwu_rules::orglife::{self, MeetingKind, OrgLifeFacts, Period, RequirementScope};
use dangwu_rules::{CalcError, RuleBook};
use dangwu_store::meetings::{HeldCount, LifeOrg};
use serde::Serialize;
use uuid::Uuid;

/// Meeting kinds a record may have: the rules' kinds plus two committee activities without a frequency rule.
pub const KINDS: [(&str, &str); 10] = [
    ("general_meeting", "支部党员大会"),
    ("branch_committee", "支部委员会会议"),
    ("party_group_meeting", "党小组会"),
    ("party_lecture", "党课"),
    ("theme_day", "主题党日"),
    ("life_meeting", "组织生活会"),
    ("democratic_appraisal", "民主评议党员"),
    ("heart_to_heart_talk", "谈心谈话"),
    ("party_committee", "党委会"),
    ("central_study", "理论学习中心组学习"),
];

pub fn kind_label(code: &str) -> &str {
    KINDS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

/// The record kind that satisfies a requirement of the rules (书记讲党课 is a 党课 given by the secretary).
fn record_kind(kind: MeetingKind) -> (&'static str, bool) {
    match kind {
        MeetingKind::GeneralMeeting => ("general_meeting", false),
        MeetingKind::BranchCommittee => ("branch_committee", false),
        MeetingKind::PartyGroupMeeting => ("party_group_meeting", false),
        MeetingKind::PartyLecture => ("party_lecture", false),
        MeetingKind::SecretaryLecture => ("party_lecture", true),
        MeetingKind::ThemeDay => ("theme_day", false),
        MeetingKind::LifeMeeting => ("life_meeting", false),
        MeetingKind::DemocraticAppraisal => ("democratic_appraisal", false),
        MeetingKind::HeartToHeartTalk => ("heart_to_heart_talk", false),
    }
}

/// Whether a record of `kind` may be kept by an organization of `org`.
pub fn kind_fits(kind: &str, org: OrgKind) -> bool {
    match kind {
        "party_group_meeting" => org == OrgKind::PartyGroup,
        "general_meeting" | "branch_committee" | "theme_day" | "democratic_appraisal" => org.is_branch(),
        "party_committee" | "central_study" => org.is_committee() || org == OrgKind::GeneralBranch,
        "life_meeting" | "party_lecture" | "heart_to_heart_talk" => org != OrgKind::PartyGroup,
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct RequirementView {
    /// The record kind to hold (`party_lecture` for 书记讲党课 too).
    pub kind: &'static str,
    pub requirement: MeetingKind,
    pub label: &'static str,
    pub rule: &'static str,
    pub rule_status: dangwu_rules::RuleStatus,
    pub scope: RequirementScope,
    pub note: Option<String>,
    pub windows: Vec<WindowView>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub done: u32,
    pub due: u32,
    pub overdue: u32,
    pub upcoming: u32,
    pub warning: u32,
}

impl Tally {
    fn add(&mut self, w: &WindowView) {
        match w.status {
            WindowStatus::Done => self.done += 1,
            WindowStatus::Due => self.due += 1,
            WindowStatus::Overdue => self.overdue += 1,
            WindowStatus::Upcoming => self.upcoming += 1,
        }
        if w.warning {
            self.warning += 1;
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    pub organization_id: Uuid,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    pub depth: i64,
    pub requirements: Vec<RequirementView>,
    pub tally: Tally,
}

/// Held meetings of one organization: (kind, secretary lecture, day, count).
type Held<'a> = Vec<&'a HeldCount>;

fn held_in(held: &[&HeldCount], kind: &str, secretary_only: bool, from: NaiveDate, to: NaiveDate) -> u32 {
    held.iter()
        .filter(|h| h.kind == kind && (!secretary_only || h.secretary_lecture) && h.held_on >= from && h.held_on <= to)
        .map(|h| h.n as u32)
        .sum()
}

/// Computes the compliance of every organization in `orgs` over `period`, as of `today`, with a warning
/// `warning_days` before an open window closes.
pub fn compliance(
    rules: &RuleBook,
    orgs: &[LifeOrg],
    counts: &[HeldCount],
    period: Period,
    today: NaiveDate,
    warning_days: i64,
) -> Result<Vec<Compliance>, CalcError> {
    let mut by_org: HashMap<Uuid, Held> = HashMap::new();
    for c in counts {
        by_org.entry(c.organization_id).or_default().push(c);
    }
    let groups_of: HashMap<Uuid, Vec<Uuid>> =
        orgs.iter().filter(|o| o.kind == "party_group").fold(HashMap::new(), |mut m, g| {
            if let Some(p) = g.parent_id {
                m.entry(p).or_default().push(g.id);
            }
            m
        });
    let empty: Held = Vec::new();
    let mut out = Vec::with_capacity(orgs.len());
    for org in orgs {
        let Some(kind) = OrgKind::from_code(&org.kind) else { continue };
        let committee: Vec<serde_json::Value> = serde_json::from_str(&org.committee_json).unwrap_or_default();
        let facts = OrgLifeFacts { kind, has_committee: committee.len() >= 3, party_groups: org.party_groups as u32 };
        let own = by_org.get(&org.id).unwrap_or(&empty);
        let mut tally = Tally::default();
        let mut views = Vec::new();
        for req in orglife::requirements(rules, &facts, period)? {
            let (record, secretary_only) = record_kind(req.meeting);
            let windows = req
                .windows
                .iter()
                .map(|w| {
                    let held = match req.scope {
                        // Every party group must hold its own; the window is as far along as the slowest group.
                        RequirementScope::EachPartyGroup => groups_of
                            .get(&org.id)
                            .map(|groups| {
                                groups
                                    .iter()
                                    .map(|g| held_in(by_org.get(g).unwrap_or(&empty), record, false, w.from, w.to))
                                    .min()
                                    .unwrap_or(0)
                            })
                            .unwrap_or(0),
                        _ => held_in(own, record, secretary_only, w.from, w.to),
                    };
                    let status = if held >= w.count {
                        WindowStatus::Done
                    } else if w.to < today {
                        WindowStatus::Overdue
                    } else if w.from > today {
                        WindowStatus::Upcoming
                    } else {
                        WindowStatus::Due
                    };
                    let warning = status == WindowStatus::Due && (w.to - today).num_days() < warning_days;
                    WindowView { from: w.from, to: w.to, partial: w.partial, required: w.count, held, status, warning }
                })
                .collect::<Vec<_>>();
            windows.iter().for_each(|w| tally.add(w));
            views.push(RequirementView {
                kind: record,
                requirement: req.meeting,
                label: req.label,
                rule: req.rule,
                rule_status: req.status,
                scope: req.scope,
                note: req.note,
                windows,
            });
        }
        out.push(Compliance {
            organization_id: org.id,
            name: org.name.clone(),
            short_name: org.short_name.clone(),
            kind: org.kind.clone(),
            parent_id: org.parent_id,
            depth: org.depth,
            requirements: views,
            tally,
        });
    }
    Ok(out)
}

#[derive(Debug, Serialize)]
pub struct KindTotal {
    pub kind: &'static str,
    pub label: &'static str,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Serialize)]
pub struct RollupRow {
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub depth: i64,
    /// The organization's own windows.
    pub own: Tally,
    /// Its own and every organization's below it.
    pub subtree: Tally,
}

/// Adds another tally (a child organization's) to this one.
fn merge(t: &mut Tally, o: &Tally) {
    t.done += o.done;
    t.due += o.due;
    t.overdue += o.overdue;
    t.upcoming += o.upcoming;
    t.warning += o.warning;
}

/// Sums the windows of a subtree's compliance by kind, and each organization's own and subtree tallies.
pub fn rollup(all: &[Compliance]) -> (Vec<KindTotal>, Vec<RollupRow>) {
    let mut kinds: Vec<KindTotal> = Vec::new();
    for c in all {
        for r in &c.requirements {
            let label = r.label;
            let total = match kinds.iter_mut().find(|k| k.label == label) {
                Some(t) => t,
                None => {
                    kinds.push(KindTotal { kind: r.kind, label, tally: Tally::default() });
                    kinds.last_mut().expect("pushed")
                }
            };
            for w in &r.windows {
                total.tally.add(w);
            }
        }
    }
    // Subtree totals: children come after parents (ordered by depth), so fold from the deepest up.
    let mut rows: Vec<RollupRow> = all
        .iter()
        .map(|c| RollupRow {
            organization_id: c.organization_id,
            parent_id: c.parent_id,
            name: c.name.clone(),
            short_name: c.short_name.clone(),
            kind: c.kind.clone(),
            depth: c.depth,
            own: c.tally.clone(),
            subtree: c.tally.clone(),
        })
        .collect();
    let index: std::collections::HashMap<Uuid, usize> =
        rows.iter().enumerate().map(|(i, r)| (r.organization_id, i)).collect();
    for i in (0..rows.len()).rev() {
        if let Some(&p) = rows[i].parent_id.as_ref().and_then(|p| index.get(p)) {
            let child = rows[i].subtree.clone();
            merge(&mut rows[p].subtree, &child);
        }
    }
    (kinds, rows)
}

/// One member's participation: meetings attended of those they were expected at, and the run of
/// absences since they last attended.
#[derive(Debug, Clone, Serialize)]
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
        match r.status.as_str() {
            "present" => {
                p.present += 1;
                p.consecutive_absences = 0;
                p.last_present = Some(r.held_on);
            }
            "leave" => p.leave += 1,
            _ => {
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

    fn branch() -> LifeOrg {
        LifeOrg {
            id: Uuid::from_u128(1),
            parent_id: None,
            name: "第一党支部".into(),
            short_name: "一支部".into(),
            kind: "branch".into(),
            committee_json: r#"[{"name":"甲","post":"secretary"},{"name":"乙","post":"organization"},{"name":"丙","post":"publicity"}]"#.into(),
            party_groups: 0,
            depth: 0,
        }
    }

    fn committee_status(counts: &[HeldCount], today: NaiveDate, month: u32) -> (WindowStatus, bool) {
        let rules = RuleBook::builtin().unwrap();
        let year = Period { from: d(1, 1), to: d(12, 31) };
        let c = compliance(&rules, &[branch()], counts, year, today, 7).unwrap();
        let req = c[0].requirements.iter().find(|r| r.requirement == MeetingKind::BranchCommittee).unwrap();
        let w = req.windows.iter().find(|w| w.from == d(month, 1)).unwrap();
        (w.status, w.warning)
    }

    fn held(kind: &str, on: NaiveDate) -> HeldCount {
        HeldCount {
            organization_id: Uuid::from_u128(1),
            kind: kind.into(),
            secretary_lecture: false,
            held_on: on,
            n: 1,
        }
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
        let rules = RuleBook::builtin().unwrap();
        let year = Period { from: d(1, 1), to: d(12, 31) };
        let counts = [held("general_meeting", d(2, 14))];
        let c = compliance(&rules, &[branch()], &counts, year, d(7, 1), 7).unwrap();
        let req = c[0].requirements.iter().find(|r| r.requirement == MeetingKind::GeneralMeeting).unwrap();
        let statuses: Vec<WindowStatus> = req.windows.iter().map(|w| w.status).collect();
        assert_eq!(
            statuses,
            vec![WindowStatus::Done, WindowStatus::Overdue, WindowStatus::Due, WindowStatus::Upcoming]
        );
    }

    #[test]
    fn participation_counts_the_run_of_absences() {
        use dangwu_store::meetings::AttendanceRow;
        let row = |day, status: &str| AttendanceRow {
            member_id: Uuid::from_u128(9),
            name: "甲".into(),
            organization_id: Uuid::from_u128(1),
            held_on: d(1, day),
            status: status.into(),
        };
        let p = participation(&[row(1, "present"), row(2, "absent"), row(3, "leave"), row(4, "absent")]);
        assert_eq!((p[0].expected, p[0].present, p[0].leave, p[0].absent, p[0].consecutive_absences), (4, 1, 1, 2, 2));
    }
}
