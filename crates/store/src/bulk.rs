//! Bulk loads: many rows in multi-row INSERT statements, for the generated demo enterprise at scale
//! (`dangwu demo --scale`) and the benchmarks built on it. Each call is one transaction with one
//! audit record that says what was loaded and how many rows; the caller chunks a large load into
//! calls of some tens of thousands of rows.
//!
//! The rules are the caller's: these writes check neither grants nor the rules (the generator builds
//! rows that satisfy them), as the `seed_*` calls used by the small demo and the tests do not.
//!
//! Rows per statement differ by engine: SQLite looks a `$N` parameter up by name in a list, so the cost
//! of a statement grows with the square of its parameters and about 250 parameters a statement is
//! fastest (ten meeting rows); PostgreSQL takes a thousand rows a statement (fewer round trips).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::appraisals::{Grade, Stage};
use crate::audit::Event;
use crate::crypto::Field;
use crate::meetings::AgendaItem;
use crate::members::MemberInput;
use crate::{Actor, Arg, Db, Engine, Q, Result, Tx, q};
use dangwu_rules::codes::{Attendance, MeetingStatus, RecordKind};
use dangwu_rules::member::Status;
use dangwu_rules::org::OrgKind;

/// A meeting record to load (held, or planned for `date`).
#[derive(Debug, Clone)]
pub struct BulkMeeting {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub kind: RecordKind,
    pub status: MeetingStatus,
    /// The day it was held (held) or is planned for (planned).
    pub date: NaiveDate,
    pub place: String,
    pub chair: String,
    pub recorder: String,
    pub lecturer: String,
    pub secretary_lecture: bool,
    pub topic: String,
    pub agenda: Vec<AgendaItem>,
    pub minutes: String,
    pub decisions: String,
    pub present: i64,
    pub expected: i64,
    /// The year's 民主评议 held with this 组织生活会 or 党员大会.
    pub with_appraisal: bool,
    pub created_at: DateTime<Utc>,
}

/// One member's attendance at one meeting.
#[derive(Debug, Clone)]
pub struct BulkAttendee {
    pub meeting_id: Uuid,
    pub member_id: Uuid,
    pub status: Attendance,
    pub reason: String,
}

/// A member placed (编入) in a party group of their branch or in a temporary branch.
#[derive(Debug, Clone)]
pub struct BulkPlacement {
    pub member_id: Uuid,
    pub organization_id: Uuid,
    /// The kind of the organization placed in (party group or temporary branch).
    pub kind: OrgKind,
    pub placed_on: NaiveDate,
}

/// One organization's 民主评议党员 of one year.
#[derive(Debug, Clone)]
pub struct BulkAppraisal {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub year: i32,
    pub stage: Stage,
    /// The meeting that decided the grades (decided appraisals).
    pub meeting_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// One member's entry in an appraisal.
#[derive(Debug, Clone)]
pub struct BulkAppraisalEntry {
    pub appraisal_id: Uuid,
    pub member_id: Uuid,
    pub member_status: Status,
    pub votes: [i64; 4],
    pub proposed_grade: Option<Grade>,
    pub final_grade: Option<Grade>,
}

/// Rows of `columns` values each that go into one statement on `engine`.
pub fn rows_per_statement(engine: Engine, columns: usize) -> usize {
    match engine {
        Engine::Sqlite => (250 / columns).max(1),
        Engine::Postgres => (60_000 / columns).min(1000),
    }
}

/// Inserts `rows` with `head` (`INSERT INTO t (a, b, …) VALUES `) and `tail` (an ON CONFLICT clause or
/// nothing), each row's values given by `values`, as many rows a statement as suit the engine.
async fn insert_rows<R>(
    tx: &mut Tx,
    engine: Engine,
    head: &str,
    columns: usize,
    rows: &[R],
    values: impl Fn(&R) -> Vec<Arg>,
) -> Result<()> {
    for chunk in rows.chunks(rows_per_statement(engine, columns)) {
        let mut query = q(head);
        for (i, row) in chunk.iter().enumerate() {
            let args = values(row);
            debug_assert_eq!(args.len(), columns, "{head}");
            push_row(&mut query, i == 0, args);
        }
        tx.execute(query).await?;
    }
    Ok(())
}

fn push_row(query: &mut Q, first: bool, args: Vec<Arg>) {
    query.push(if first { "(" } else { ", (" });
    for (k, arg) in args.into_iter().enumerate() {
        query.push_bind(if k == 0 { "" } else { ", " }, arg);
    }
    query.push(")");
}

impl Db {
    /// Loads members (each with its id) and their keys in the name index, in one transaction. ID
    /// numbers and phones are sealed under the data key when one is configured, as every write of a
    /// member does. The caller guarantees unique ID numbers.
    pub async fn bulk_members(&self, actor: &Actor, rows: &[(Uuid, MemberInput)], now: DateTime<Utc>) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let keys = self.data_keys();
        let mut tx = self.begin().await?;
        insert_rows(
            &mut tx,
            self.engine(),
            "INSERT INTO members (id, name, gender, ethnicity, birth_date, id_number, id_number_hash, education, \
             occupation, work_unit, post, phone, phone_hash, joined_on, converted_on, status, organization_id, \
             version, created_at, updated_at) VALUES ",
            20,
            rows,
            |(id, m)| {
                let (id_number, phone) = match keys {
                    Some(k) => (k.seal(Field::IdNumber, *id, &m.id_number), k.seal(Field::Phone, *id, &m.phone)),
                    None => (m.id_number.clone(), m.phone.clone()),
                };
                vec![
                    (*id).into(),
                    m.name.clone().into(),
                    m.gender.code().into(),
                    m.ethnicity.clone().into(),
                    m.birth_date.into(),
                    id_number.into(),
                    keys.and_then(|k| k.hash(Field::IdNumber, &m.id_number)).into(),
                    m.education.clone().into(),
                    m.occupation.code().into(),
                    m.work_unit.clone().into(),
                    m.post.clone().into(),
                    phone.into(),
                    keys.and_then(|k| k.hash(Field::Phone, &m.phone)).into(),
                    m.joined_on.into(),
                    m.converted_on.into(),
                    m.status.code().into(),
                    m.organization_id.into(),
                    1i64.into(),
                    now.into(),
                    now.into(),
                ]
            },
        )
        .await?;
        // The name index of the members just written: every substring of one to three characters of
        // each name (ASCII letters in lower case, as `members::name_grams` computes them), in one
        // statement over the range of their ids (on SQLite in the index's order, which keeps the
        // writes to its B-tree together).
        let lo = rows.iter().map(|r| r.0).min().expect("rows");
        let hi = rows.iter().map(|r| r.0).max().expect("rows");
        let fill = match self.engine() {
            Engine::Sqlite => {
                "WITH RECURSIVE at(member_id, name, i) AS (\
                    SELECT id, lower(name), 1 FROM members WHERE id BETWEEN $1 AND $2 AND name <> '' \
                    UNION ALL SELECT member_id, name, i + 1 FROM at WHERE i < length(name)) \
                 INSERT OR IGNORE INTO member_name_grams (gram, member_id) \
                 SELECT substr(at.name, at.i, w.n), at.member_id \
                 FROM at, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) w \
                 WHERE at.i + w.n - 1 <= length(at.name) ORDER BY 1, 2"
            }
            Engine::Postgres => {
                "INSERT INTO member_name_grams (gram, member_id) \
                 SELECT DISTINCT substr(k.name, i, w.n), k.id FROM (SELECT id, translate(name, \
                 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS name FROM members \
                 WHERE id BETWEEN $1 AND $2) k \
                 CROSS JOIN LATERAL generate_series(1, length(k.name)) AS i \
                 CROSS JOIN (VALUES (1), (2), (3)) AS w(n) WHERE i + w.n - 1 <= length(k.name) \
                 ON CONFLICT DO NOTHING"
            }
        };
        tx.execute(q(fill).bind(lo).bind(hi)).await?;
        tx.audit(actor, now, bulk_event("member", rows.len())).await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Loads meeting records (without attendance: see [`Db::bulk_attendance`]), in one transaction.
    pub async fn bulk_meetings(&self, actor: &Actor, rows: &[BulkMeeting], now: DateTime<Utc>) -> Result<u64> {
        self.load_table(
            actor,
            now,
            Table { entity: "meeting", head: "INSERT INTO meetings (id, organization_id, kind, status, planned_on, held_on, start_time, end_time, \
             place, chair, recorder, lecturer, secretary_lecture, topic, agenda_json, first_topic, minutes, \
             decisions, votes_json, present, expected, with_appraisal, version, created_at, updated_at) VALUES ", columns: 25 },
            rows,
            |m| {
                let held = m.status == MeetingStatus::Held;
                vec![
                    m.id.into(),
                    m.organization_id.into(),
                    m.kind.code().into(),
                    m.status.code().into(),
                    (!held).then_some(m.date).into(),
                    held.then_some(m.date).into(),
                    "14:30".into(),
                    "16:30".into(),
                    m.place.clone().into(),
                    m.chair.clone().into(),
                    m.recorder.clone().into(),
                    m.lecturer.clone().into(),
                    m.secretary_lecture.into(),
                    m.topic.clone().into(),
                    serde_json::to_string(&m.agenda).expect("agenda serializes").into(),
                    m.agenda.iter().any(|a| a.first_topic).into(),
                    m.minutes.clone().into(),
                    m.decisions.clone().into(),
                    "[]".into(),
                    m.present.into(),
                    m.expected.into(),
                    m.with_appraisal.into(),
                    1i64.into(),
                    m.created_at.into(),
                    m.created_at.into(),
                ]
            },
        )
        .await
    }

    /// Loads attendance rows of meetings already loaded, in one transaction.
    pub async fn bulk_attendance(&self, actor: &Actor, rows: &[BulkAttendee], now: DateTime<Utc>) -> Result<u64> {
        self.load_table(
            actor,
            now,
            Table {
                entity: "meeting_attendee",
                head: "INSERT INTO meeting_attendees (meeting_id, member_id, status, reason) VALUES ",
                columns: 4,
            },
            rows,
            |a| vec![a.meeting_id.into(), a.member_id.into(), a.status.code().into(), a.reason.clone().into()],
        )
        .await
    }

    /// Loads placements (编入) of members in party groups and temporary branches, in one transaction.
    pub async fn bulk_placements(&self, actor: &Actor, rows: &[BulkPlacement], now: DateTime<Utc>) -> Result<u64> {
        self.load_table(
            actor,
            now,
            Table {
                entity: "placement",
                head: "INSERT INTO placements (member_id, organization_id, kind, placed_on) VALUES ",
                columns: 4,
            },
            rows,
            |p| vec![p.member_id.into(), p.organization_id.into(), p.kind.code().into(), p.placed_on.into()],
        )
        .await
    }

    /// Loads appraisals and their entries, in one transaction.
    pub async fn bulk_appraisals(
        &self,
        actor: &Actor,
        appraisals: &[BulkAppraisal],
        entries: &[BulkAppraisalEntry],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        if appraisals.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        insert_rows(
            &mut tx,
            self.engine(),
            "INSERT INTO appraisals (id, organization_id, year, status, meeting_id, version, created_at, updated_at) \
             VALUES ",
            8,
            appraisals,
            |a| {
                vec![
                    a.id.into(),
                    a.organization_id.into(),
                    i64::from(a.year).into(),
                    a.stage.code().into(),
                    a.meeting_id.into(),
                    1i64.into(),
                    a.created_at.into(),
                    a.created_at.into(),
                ]
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            self.engine(),
            "INSERT INTO appraisal_entries (appraisal_id, member_id, member_status, votes_excellent, \
             votes_qualified, votes_basic, votes_unqualified, proposed_grade, final_grade) VALUES ",
            9,
            entries,
            |e| {
                vec![
                    e.appraisal_id.into(),
                    e.member_id.into(),
                    e.member_status.code().into(),
                    e.votes[0].into(),
                    e.votes[1].into(),
                    e.votes[2].into(),
                    e.votes[3].into(),
                    e.proposed_grade.map(Grade::code).into(),
                    e.final_grade.map(Grade::code).into(),
                ]
            },
        )
        .await?;
        tx.audit(
            actor,
            now,
            Event::new("bulk.load", "appraisal", None)
                .after(serde_json::json!({ "appraisals": appraisals.len(), "entries": entries.len() })),
        )
        .await?;
        tx.commit().await?;
        Ok((appraisals.len() + entries.len()) as u64)
    }

    /// Loads the rows of one table in one transaction with one audit record (`entity`, rows).
    async fn load_table<R>(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        table: Table<'_>,
        rows: &[R],
        values: impl Fn(&R) -> Vec<Arg>,
    ) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        insert_rows(&mut tx, self.engine(), table.head, table.columns, rows, values).await?;
        tx.audit(actor, now, bulk_event(table.entity, rows.len())).await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// What the database does after a bulk load, now rather than at an unknown later time: PostgreSQL
    /// gathers statistics and the visibility map for index-only scans (as autovacuum would); SQLite
    /// folds its write-ahead log into the database file (the application never runs ANALYZE there).
    pub async fn after_bulk_load(&self) -> Result<()> {
        match self.engine() {
            Engine::Sqlite => self.execute(q("PRAGMA wal_checkpoint(TRUNCATE)")).await?,
            Engine::Postgres => self.execute(q("VACUUM ANALYZE")).await?,
        };
        Ok(())
    }
}

/// A table loaded by [`Db::load_table`]: the audit record's entity, the INSERT's head and its columns.
struct Table<'a> {
    entity: &'a str,
    head: &'a str,
    columns: usize,
}

/// The audit record of one bulk load: what and how many (no organization: a load spans many).
fn bulk_event(entity: &str, rows: usize) -> Event<'_> {
    Event::new("bulk.load", entity, None).after(serde_json::json!({ "rows": rows }))
}
