//! Reading an organization's compliance calendar: the in-memory index gives what was held, and a
//! branch's 谈心谈话 is judged pair by pair from its talk records.

use std::collections::HashMap;

use chrono::Datelike;
use dangwu_rules::orglife::{MeetingKind, Period};
use dangwu_rules::talk::{Talk, talk_coverage};
use dangwu_store::StoreError;
use uuid::Uuid;

use super::compliance::{self, Compliance};
use super::lifeindex::LifeIndex;
use super::{Ctx, DomainResult};

/// The calendar of organization `org` in `period` (within one year), as `user` may read it.
pub async fn of_organization(
    ctx: &Ctx<'_>,
    life: &LifeIndex,
    user: Uuid,
    org: Uuid,
    period: Period,
    warning_days: i64,
) -> DomainResult<Compliance> {
    ctx.db.check_readable(user, org).await?;
    let year = period.from.year();
    let index = life.read(ctx.db, year).await?;
    let calendar =
        compliance::calendar(ctx.rules, index.forest(), index.counts(year), org, period, ctx.today, warning_days)?;
    let mut calendar = calendar.ok_or(StoreError::NotFound)?;
    drop(index);
    if calendar.requirements.iter().any(|r| r.requirement == MeetingKind::HeartToHeartTalk) {
        let record = ctx.db.talk_record(user, org, period.from, period.to).await?;
        let (organization, members) = (record.organization, record.members);
        let mut names: HashMap<Uuid, String> = members.iter().map(|m| (m.member_id, m.name.clone())).collect();
        let committee: Vec<Uuid> = organization.committee.iter().filter_map(|s| s.member_id).collect();
        for seat in &organization.committee {
            if let Some(id) = seat.member_id {
                names.entry(id).or_insert_with(|| seat.name.clone());
            }
        }
        let people: Vec<Uuid> = members.iter().map(|m| m.member_id).collect();
        let talks: Vec<Talk<Uuid>> = record.pairs.into_iter().map(|(a, b, date)| Talk { a, b, date }).collect();
        let coverage = talk_coverage(ctx.rules, period, &committee, &people, &talks)?;
        compliance::judge_talks(&mut calendar, coverage, &names, ctx.today, warning_days);
    }
    Ok(calendar)
}
