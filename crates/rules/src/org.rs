//! Organization kinds and which kind may sit under which (组织设置).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::book::{Resolved, RuleBook};
use crate::check::{Check, Level};
use crate::dates::{add_years, sub_months};

crate::code_list! {
    /// 组织类型.
    pub enum OrgKind: "组织类型" {
        /// 集团党委: the enterprise group's top committee.
        GroupCommittee = "group_committee", "集团党委";
        /// 基层党委
        PrimaryCommittee = "primary_committee", "基层党委";
        /// 党总支
        GeneralBranch = "general_branch", "党总支";
        /// 党支部
        Branch = "branch", "党支部";
        /// 联合党支部
        JointBranch = "joint_branch", "联合党支部";
        /// 临时党支部
        TemporaryBranch = "temporary_branch", "临时党支部";
        /// 党小组
        PartyGroup = "party_group", "党小组";
    }
}

crate::code_list! {
    /// Whether an organization is working or dissolved (撤销: kept with its history).
    pub enum OrgStatus: "组织状态" {
        Active = "active", "正常";
        Dissolved = "dissolved", "已撤销";
    }
}

impl OrgKind {
    pub fn is_committee(self) -> bool {
        matches!(self, OrgKind::GroupCommittee | OrgKind::PrimaryCommittee)
    }

    pub fn is_branch(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch)
    }

    /// Whether members may hold their formal relationship here. A 党小组 is part of its branch, so its
    /// members belong to the branch; committees hold members only through their branches.
    /// Whether a member's organizational relationship can be held here: by a branch (joint and
    /// temporary included), never directly by a committee or general branch, nor by a party group,
    /// which divides a branch's members without holding them (regulations.md 1.5–1.7a, 1.10).
    pub fn holds_members(self) -> bool {
        self.is_branch()
    }

    /// Whether members' formal organizational relationship (正式组织关系) is held here, so members can
    /// be transferred in: an ordinary or joint branch. A 临时党支部's members keep theirs in their home
    /// branch (regulations.md 1.7a) and are placed in it, as a 党小组's are (the store's placements).
    pub fn holds_formal_membership(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch)
    }

    /// Whether it admits new members (接收新党员, 发展党员 through its general meeting): an ordinary or
    /// joint branch; a 临时党支部 does not (1.7a), though it cultivates activists and sends their records
    /// home when the task ends.
    pub fn recruits(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch)
    }

    /// Whether it collects dues (收缴党费): the branch holding the formal relationship (5.12); not a
    /// 临时党支部 (1.7a), whose members pay at home.
    pub fn collects_dues(self) -> bool {
        self.holds_formal_membership()
    }

    /// Whether it decides discipline of members at its general meeting (3.1); not a 临时党支部 (1.7a).
    pub fn disciplines(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch)
    }

    /// Whether it has a term of office and holds re-elections (2.1, 2.2): committees, general branches,
    /// ordinary and joint branches. A 临时党支部 has appointed leaders, holds no re-election and is
    /// dissolved with its task (1.7a); a 党小组 has no term.
    pub fn has_term(self) -> bool {
        term_rule(self).is_some()
    }

    /// Whether it elects its committee (or delegates): see [`crate::election::electoral_bodies`].
    pub fn elects(self) -> bool {
        !crate::election::electoral_bodies(self).is_empty()
    }
}

pub const RULE_TEMPORARY_BRANCH_LIMITS: &str = "org.temporary_branch.limits";

/// Something an organization may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// 接收党员组织关系 (transfer a member in).
    FormalMembership,
    /// 发展党员 (admit new members).
    Recruitment,
    /// 收缴党费.
    Dues,
    /// 处分党员.
    Discipline,
    /// 换届选举 (term of office, elections, electing delegates).
    Election,
}

impl Capability {
    pub const ALL: [Capability; 5] = [
        Capability::FormalMembership,
        Capability::Recruitment,
        Capability::Dues,
        Capability::Discipline,
        Capability::Election,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Capability::FormalMembership => "接收党员组织关系",
            Capability::Recruitment => "发展党员",
            Capability::Dues => "收缴党费",
            Capability::Discipline => "处分党员",
            Capability::Election => "换届选举",
        }
    }

    /// What [`OrgKind`] says about it (the regulations' shape, without the rule book).
    pub fn of(self, kind: OrgKind) -> bool {
        match self {
            Capability::FormalMembership => kind.holds_formal_membership(),
            Capability::Recruitment => kind.recruits(),
            Capability::Dues => kind.collects_dues(),
            Capability::Discipline => kind.disciplines(),
            Capability::Election => kind.elects(),
        }
    }
}

/// Whether an organization of `kind` may do `what` on `on`. The limits of a 临时党支部 (regulations.md
/// 1.7a: members' relationships stay at home, no recruitment, no dues, no discipline, no re-election)
/// are secondary, so they apply while org.temporary_branch.limits is on (the default); a deployment
/// that switches it off treats a temporary branch like an ordinary one. `Ok(None)`: allowed.
/// `Ok(Some(check))`: not allowed, with the rule and a Chinese message (a warning for the temporary
/// branch's secondary limits, an error for other kinds, whose shape is fixed: a committee holds no
/// members, a party group elects nobody).
pub fn check_capability(
    book: &RuleBook,
    kind: OrgKind,
    what: Capability,
    on: NaiveDate,
) -> Result<Option<Check>, crate::book::RuleError> {
    if kind == OrgKind::TemporaryBranch {
        let r = book.resolve(RULE_TEMPORARY_BRANCH_LIMITS, on)?;
        if !matches!(r.value(), crate::book::RuleValue::Flag(true)) || what.of(kind) {
            return Ok(None);
        }
        let why = match what {
            Capability::FormalMembership => "党员的组织关系不转入临时党支部，仍保留在原党组织",
            Capability::Recruitment => "临时党支部一般不接收新党员；可培养入党积极分子，任务结束后将其材料转回原党组织",
            Capability::Dues => "临时党支部一般不收缴党费，党员向组织关系所在党支部交纳",
            Capability::Discipline => "临时党支部一般不处分党员",
            Capability::Election => {
                "临时党支部的书记、副书记和委员由批准其成立的党组织指定，不进行换届选举，不选举党代表大会代表"
            }
        };
        return Ok(Some(Check::new(Level::for_rule(&r, true), RULE_TEMPORARY_BRANCH_LIMITS, why)));
    }
    if what.of(kind) {
        return Ok(None);
    }
    let rule = match what {
        Capability::Dues | Capability::FormalMembership | Capability::Recruitment | Capability::Discipline => {
            crate::structural::StructuralRule::MemberOrganizationKind.id()
        }
        // An election is a meeting the kind does not hold (a party group's leader is appointed).
        Capability::Election => crate::structural::StructuralRule::MeetingKindForOrganization.id(),
    };
    Ok(Some(Check::new(Level::Error, rule, format!("{}不能{}", kind.label(), what.label()))))
}

/// Which kinds may be created under a parent of the given kind (`None`: a root).
/// Committees lead general branches and branches; general branches lead branches; branches are divided
/// into party groups (支部工作条例 第十三条).
pub fn allowed_under(parent: Option<OrgKind>, child: OrgKind) -> bool {
    use OrgKind::*;
    match parent {
        None => matches!(child, GroupCommittee | PrimaryCommittee),
        // A party group divides a branch; a committee does not hold one directly.
        Some(GroupCommittee) | Some(PrimaryCommittee) => !matches!(child, GroupCommittee | PartyGroup),
        Some(GeneralBranch) => child.is_branch(),
        Some(Branch) | Some(JointBranch) | Some(TemporaryBranch) => child == PartyGroup,
        Some(PartyGroup) => false,
    }
}

// ---- organization checks (组织设置检查) ------------------------------------------------------------

pub const RULE_ALLOWED_UNDER: &str = "org.structure.allowed_under";
pub const RULE_BRANCH_MIN_FULL: &str = "org.branch.min_full_members";
pub const RULE_BRANCH_MAX_MEMBERS: &str = "org.branch.max_members";
pub const RULE_COMMITTEE_REQUIRED: &str = "org.branch.committee_required";
pub const RULE_COMMITTEE_SIZE_MIN: &str = "org.branch.committee_size_min";
pub const RULE_COMMITTEE_SIZE_MAX: &str = "org.branch.committee_size_max";
pub const RULE_GENERAL_BRANCH_MIN: &str = "org.general_branch.min_members";
pub const RULE_PRIMARY_COMMITTEE_MIN: &str = "org.primary_committee.min_members";
pub const RULE_COUNTS_PROBATIONARY: &str = "org.size_counts_probationary";
pub const RULE_JOINT_MAX_UNITS: &str = "org.joint_branch.max_units";
pub const RULE_TERM_COMMITTEE: &str = "org.term.committee_years";
pub const RULE_TERM_GENERAL_BRANCH: &str = "org.term.general_branch_years";
pub const RULE_TERM_BRANCH: &str = "org.term.branch_years";
pub const RULE_TERM_REMINDER: &str = "org.term.reminder_months";
pub const RULE_TERM_MAX_ADJUST: &str = "org.term.max_adjust_years";
pub const RULE_DELEGATES_CONGRESS: &str = "org.delegates_congress_min_members";

/// What the engine needs to know about an organization to check its setup and term of office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgFacts {
    pub kind: OrgKind,
    /// Kind of the parent organization; `None` for a root.
    #[serde(default)]
    pub parent: Option<OrgKind>,
    /// 正式党员 whose formal relationship is here.
    pub full_members: u32,
    /// 预备党员.
    #[serde(default)]
    pub probationary_members: u32,
    /// Number of units (单位) a joint branch covers.
    #[serde(default)]
    pub units: Option<u32>,
    /// People on the committee list (书记, 副书记, 委员 …); 3 or more means a committee is set up.
    #[serde(default)]
    pub committee_size: u32,
    /// First day of the current term (本届任期开始, the election date).
    #[serde(default)]
    pub term_start: Option<NaiveDate>,
    /// Recorded last day of the term, if the organization keeps one (e.g. after an approved delay).
    #[serde(default)]
    pub term_end: Option<NaiveDate>,
}

/// A term of office (任期) computed from its start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub kind: OrgKind,
    pub years: u32,
    pub start: NaiveDate,
    /// Last day of the term (start + years − 1 day).
    pub end: NaiveDate,
    /// From this day the higher organization should remind (届满前6个月).
    pub reminder_from: NaiveDate,
    /// Earliest day of an early election (提前换届 ≤ 1 year, with approval).
    pub earliest_early_election: NaiveDate,
    /// Last day of a delayed term (延期换届 ≤ 1 year, with approval).
    pub latest_with_delay: NaiveDate,
    /// The rule that sets the length.
    pub rule: &'static str,
}

/// Where a term stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermStatus {
    /// 任期内.
    Running,
    /// 届满前6个月内: prepare the election.
    ReminderDue,
    /// 已届满未换届 (within the one-year delay limit: needs approval).
    Expired,
    /// 超过延期上限.
    BeyondDelayLimit,
}

/// The rule that sets the term length of a kind (`None`: 党小组 has no term).
/// Applies org.term.committee_years (党委, incl. 集团党委), org.term.general_branch_years,
/// org.term.branch_years (支部, 联合支部). `None` also for a 临时党支部, which holds no re-election and
/// ends with its task (regulations.md 1.7a).
pub fn term_rule(kind: OrgKind) -> Option<&'static str> {
    match kind {
        OrgKind::GroupCommittee | OrgKind::PrimaryCommittee => Some(RULE_TERM_COMMITTEE),
        OrgKind::GeneralBranch => Some(RULE_TERM_GENERAL_BRANCH),
        OrgKind::Branch | OrgKind::JointBranch => Some(RULE_TERM_BRANCH),
        OrgKind::TemporaryBranch | OrgKind::PartyGroup => None,
    }
}

/// The term that starts on `start`, with the lengths in force on that day (党委 5 years, 总支/支部
/// 3 years: org.term.*_years), the reminder date (org.term.reminder_months) and the one-year
/// delay/advance limits (org.term.max_adjust_years). `Ok(None)` for 党小组.
pub fn term(book: &RuleBook, kind: OrgKind, start: NaiveDate) -> Result<Option<Term>, crate::book::RuleError> {
    let Some(rule) = term_rule(kind) else { return Ok(None) };
    let years = book.count(rule, start)?;
    let reminder = book.count(RULE_TERM_REMINDER, start)?;
    let adjust = book.count(RULE_TERM_MAX_ADJUST, start)?;
    let far = || crate::book::RuleError::NotInForce { rule: rule.to_string(), date: start };
    let expiry = add_years(start, years).ok_or_else(far)?;
    let end = expiry.pred_opt().ok_or_else(far)?;
    Ok(Some(Term {
        kind,
        years,
        start,
        end,
        reminder_from: sub_months(expiry, reminder).ok_or_else(far)?,
        earliest_early_election: crate::dates::sub_months(expiry, adjust.saturating_mul(12)).ok_or_else(far)?,
        latest_with_delay: add_years(end, adjust).ok_or_else(far)?,
        rule,
    }))
}

/// Where `term` stands on `today`, given the recorded end if any (applies org.term.reminder_months and
/// org.term.max_adjust_years through the dates in `term`).
pub fn term_status(term: &Term, recorded_end: Option<NaiveDate>, today: NaiveDate) -> TermStatus {
    let end = recorded_end.unwrap_or(term.end).min(term.latest_with_delay);
    // The reminder keeps its lead time before whatever end applies (e.g. an approved delay).
    let reminder_from = end - (term.end - term.reminder_from);
    if today > term.latest_with_delay {
        TermStatus::BeyondDelayLimit
    } else if today > end {
        TermStatus::Expired
    } else if today >= reminder_from {
        TermStatus::ReminderDue
    } else {
        TermStatus::Running
    }
}

/// All setup and term checks for one organization on `today`, for its page. Rules applied:
/// org.structure.allowed_under, org.branch.min_full_members (≥3 full members),
/// org.branch.max_members (≤50), org.general_branch.min_members (总支 from 50),
/// org.primary_committee.min_members (党委 from 100), org.size_counts_probationary,
/// org.branch.committee_required (committee from 7 full members), org.branch.committee_size_min/max,
/// org.joint_branch.max_units (≤5 units), org.delegates_congress_min_members, and the term rules
/// (org.term.*). A rule not in force on the date gives an `Info` check saying it was not checked.
pub fn check_organization(book: &RuleBook, org: &OrgFacts, today: NaiveDate) -> Vec<Check> {
    let mut checks = Vec::new();
    let rule = |id: &'static str, checks: &mut Vec<Check>| lookup(book, id, today, checks);
    let int = |r: &Resolved<'_>| match r.value() {
        crate::book::RuleValue::Integer(n) => u32::try_from(*n).unwrap_or(u32::MAX),
        _ => u32::MAX,
    };
    let kind = org.kind;
    let label = kind.label();

    if let Some(r) = rule(RULE_ALLOWED_UNDER, &mut checks)
        && matches!(r.value(), crate::book::RuleValue::Flag(true))
        && !allowed_under(org.parent, kind)
    {
        let parent = org.parent.map(|p| p.label()).unwrap_or("（无上级，顶层组织）");
        checks.push(Check::new(Level::for_rule(&r, true), RULE_ALLOWED_UNDER, format!("{label}不能设在{parent}之下")));
    }

    let counts_prob = rule(RULE_COUNTS_PROBATIONARY, &mut checks)
        .map(|r| matches!(r.value(), crate::book::RuleValue::Flag(true)))
        .unwrap_or(true);
    let members = if counts_prob { org.full_members + org.probationary_members } else { org.full_members };
    let members_word = if counts_prob { "党员（含预备党员）" } else { "正式党员" };

    // A count rule: when its value is `breached`, a finding at `level` worded by `message` from the
    // value. Whether it was breached.
    let limit = |checks: &mut Vec<Check>,
                 id: &'static str,
                 level: Level,
                 breached: &dyn Fn(u32) -> bool,
                 message: &dyn Fn(u32) -> String|
     -> bool {
        let Some(value) = rule(id, checks).map(|r| int(&r)) else { return false };
        let hit = breached(value);
        if hit {
            checks.push(Check::new(level, id, message(value)));
        }
        hit
    };
    let committee_due =
        |pc: u32| format!("{members_word}{members}人，已达到{pc}人，应考虑设立基层党委（报上级党组织批准）");
    let suggest_bigger = |checks: &mut Vec<Check>| {
        let gb = rule(RULE_GENERAL_BRANCH_MIN, checks).map(|r| int(&r));
        let pc = rule(RULE_PRIMARY_COMMITTEE_MIN, checks).map(|r| int(&r));
        if let Some(pc) = pc
            && members >= pc
        {
            checks.push(Check::new(Level::Info, RULE_PRIMARY_COMMITTEE_MIN, committee_due(pc)));
        } else if let Some(gb) = gb
            && members >= gb
        {
            checks.push(Check::new(
                Level::Info,
                RULE_GENERAL_BRANCH_MIN,
                format!("{members_word}{members}人，已达到{gb}人，可考虑设立党总支（报上级党组织批准）"),
            ));
        }
    };

    match kind {
        OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch => {
            let hint = if kind == OrgKind::JointBranch {
                "联合党支部合计也应有3名以上正式党员"
            } else {
                "可与邻近单位组建联合党支部"
            };
            limit(&mut checks, RULE_BRANCH_MIN_FULL, Level::Warning, &|min| org.full_members < min, &|min| {
                format!("正式党员{}人，不足{min}人，不具备单独成立党支部的条件；{hint}", org.full_members)
            });
            if limit(&mut checks, RULE_BRANCH_MAX_MEMBERS, Level::Warning, &|max| members > max, &|max| {
                format!("{members_word}{members}人，超过{max}人；党支部党员人数一般不超过{max}人")
            }) {
                suggest_bigger(&mut checks);
            }
            if let (Some(req), Some(min_size)) =
                (rule(RULE_COMMITTEE_REQUIRED, &mut checks), rule(RULE_COMMITTEE_SIZE_MIN, &mut checks))
            {
                let need = int(&req);
                let min_size = int(&min_size);
                if org.full_members >= need && org.committee_size < min_size {
                    checks.push(Check::new(
                        Level::for_rule(&req, true),
                        RULE_COMMITTEE_REQUIRED,
                        format!(
                            "正式党员{}人（{need}人以上），应设立支部委员会（由{min_size}至5人组成），目前登记{}人",
                            org.full_members, org.committee_size
                        ),
                    ));
                } else if org.full_members < need && org.committee_size >= min_size {
                    checks.push(Check::new(
                        Level::Info,
                        RULE_COMMITTEE_REQUIRED,
                        format!("正式党员不足{need}人的党支部一般不设支部委员会，设书记1名，必要时设副书记1名"),
                    ));
                }
            }
            limit(&mut checks, RULE_COMMITTEE_SIZE_MAX, Level::Warning, &|max| org.committee_size > max, &|max| {
                format!("支部委员会{}人，一般不超过{max}人", org.committee_size)
            });
            if kind == OrgKind::JointBranch
                && let Some(units) = org.units
            {
                limit(&mut checks, RULE_JOINT_MAX_UNITS, Level::Warning, &|max| units > max, &|max| {
                    format!("联合党支部覆盖{units}个单位，一般不超过{max}个")
                });
            }
        }
        OrgKind::GeneralBranch => {
            limit(&mut checks, RULE_BRANCH_MIN_FULL, Level::Warning, &|min| org.full_members < min, &|min| {
                format!("正式党员{}人，不足{min}人", org.full_members)
            });
            limit(&mut checks, RULE_GENERAL_BRANCH_MIN, Level::Info, &|min| members < min, &|min| {
                format!("{members_word}{members}人，不足{min}人；设立党总支须因工作需要并经上级党组织批准")
            });
            limit(&mut checks, RULE_PRIMARY_COMMITTEE_MIN, Level::Info, &|pc| members >= pc, &committee_due);
        }
        OrgKind::GroupCommittee | OrgKind::PrimaryCommittee => {
            limit(&mut checks, RULE_PRIMARY_COMMITTEE_MIN, Level::Info, &|min| members < min, &|min| {
                format!("{members_word}{members}人，不足{min}人；设立党委须因工作需要并经上级党组织批准")
            });
            limit(&mut checks, RULE_DELEGATES_CONGRESS, Level::Info, &|min| members >= min, &|min| {
                format!("党员{members}人，达到{min}人，经批准可召开党员代表大会进行选举")
            });
        }
        OrgKind::PartyGroup => {}
    }

    if kind == OrgKind::TemporaryBranch
        && (org.term_start.is_some() || org.term_end.is_some())
        && let Some(r) = rule(RULE_TEMPORARY_BRANCH_LIMITS, &mut checks)
        && matches!(r.value(), crate::book::RuleValue::Flag(true))
    {
        checks.push(Check::new(
            Level::Info,
            RULE_TEMPORARY_BRANCH_LIMITS,
            "临时党支部不实行任期制、不进行换届选举，随临时任务结束而撤销；登记的任期日期不作换届提醒",
        ));
    }
    if let Some(term_rule_id) = term_rule(kind) {
        match org.term_start {
            None => {
                checks.push(Check::new(Level::Info, term_rule_id, "未登记本届任期开始日期，无法计算换届时间"));
            }
            Some(start) => match term(book, kind, start) {
                Err(e) => checks.push(Check::new(Level::Info, term_rule_id, format!("未检查任期：{e}"))),
                Ok(None) => {}
                Ok(Some(t)) => term_checks(book, &t, org.term_end, today, &mut checks),
            },
        }
    }
    checks
}

/// Looks a rule up for a check; when it is not in force, records an `Info` check and gives `None`.
fn lookup<'a>(book: &'a RuleBook, id: &'static str, on: NaiveDate, checks: &mut Vec<Check>) -> Option<Resolved<'a>> {
    match book.resolve(id, on) {
        Ok(r) => Some(r),
        Err(e) => {
            checks.push(Check::new(Level::Info, id, format!("未检查：{e}")));
            None
        }
    }
}

fn term_checks(book: &RuleBook, t: &Term, recorded_end: Option<NaiveDate>, today: NaiveDate, checks: &mut Vec<Check>) {
    let adjust = book.resolve(RULE_TERM_MAX_ADJUST, t.start).ok();
    let adjust_level = adjust.as_ref().map(|r| Level::for_rule(r, true)).unwrap_or(Level::Warning);
    if let Some(end) = recorded_end {
        if end > t.latest_with_delay {
            checks.push(Check::new(
                adjust_level,
                RULE_TERM_MAX_ADJUST,
                format!(
                    "登记的任期截止日{end}晚于应届满日{}一年以上；延期换届最长不超过1年（至{}）",
                    t.end, t.latest_with_delay
                ),
            ));
        } else if end > t.end {
            checks.push(Check::new(
                Level::Info,
                RULE_TERM_MAX_ADJUST,
                format!("任期延至{end}（应届满日{}）；延期换届须经上级党组织批准", t.end),
            ));
        } else if end < t.earliest_early_election.pred_opt().unwrap_or(end) {
            checks.push(Check::new(
                Level::Warning,
                RULE_TERM_MAX_ADJUST,
                format!("登记的任期截止日{end}比应届满日{}提前一年以上；提前换届最多提前1年且须经上级批准", t.end),
            ));
        }
    }
    let end = recorded_end.unwrap_or(t.end).min(t.latest_with_delay);
    match term_status(t, recorded_end, today) {
        TermStatus::Running => {}
        TermStatus::ReminderDue => checks.push(Check::new(
            Level::Info,
            RULE_TERM_REMINDER,
            format!("本届任期{}年，将于{end}届满，应做好换届准备（届满前6个月提醒）", t.years),
        )),
        TermStatus::Expired => checks.push(Check::new(
            Level::Warning,
            t.rule,
            format!("本届任期已于{end}届满，应按期换届；延期换届须经上级党组织批准，最长至{}", t.latest_with_delay),
        )),
        TermStatus::BeyondDelayLimit => checks.push(Check::new(
            adjust_level,
            RULE_TERM_MAX_ADJUST,
            format!("任期于{}届满，已超过延期换届最长1年的期限（{}），应立即换届", t.end, t.latest_with_delay),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_shape() {
        use OrgKind::*;
        assert!(allowed_under(None, GroupCommittee));
        assert!(!allowed_under(None, Branch));
        assert!(allowed_under(Some(GroupCommittee), PrimaryCommittee));
        assert!(allowed_under(Some(PrimaryCommittee), GeneralBranch));
        assert!(allowed_under(Some(GeneralBranch), JointBranch));
        assert!(!allowed_under(Some(GeneralBranch), GeneralBranch));
        assert!(allowed_under(Some(Branch), PartyGroup));
        assert!(!allowed_under(Some(Branch), Branch));
        assert!(!allowed_under(Some(PartyGroup), PartyGroup));
    }
}
