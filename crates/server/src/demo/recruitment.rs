//! Demo recruitment cases (发展党员): people at every stage, two of them past a deadline, each recorded
//! through the same use case as a secretary's, so the rules check every demo step as they would a
//! real one.

use chrono::{Duration, NaiveDate};
use dangwu_rules::idcard::Gender;
use dangwu_rules::member::Occupation;
use dangwu_rules::recruitment::PipelineStep;
use dangwu_store::recruitment::{CasePerson, CaseTraining, CaseVote, PersonDetails};
use dangwu_store::{Actor, StoreError};
use uuid::Uuid;

use crate::domain::Ctx;
use crate::domain::recruitment::{CaseView, OpenCase, RecordStep, open, record};

/// One person of the demo: name, gender, birth date, ID number.
pub struct Applicant {
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub id_number: String,
}

/// Day of each step counted from the application, in step order: within every time limit, with a
/// year and a day as activist and a probation of a year and a day.
const OFFSETS: [i64; 25] = [
    0, 15, 190, 195, 195, 200, 556, 560, 560, 570, 575, 600, 610, 615, 625, 635, 660, 665, 665, 670, 700, 960, 991,
    1000, 1010,
];

/// How long ago each demo case was applied for, and how many steps it has: applicant (and one whose
/// talk is overdue), activist, development target, admitted at the meeting but not approved in time
/// (overdue), probationary, converted.
const CASES: [(i64, usize); 7] = [(20, 1), (75, 1), (260, 6), (640, 11), (760, 16), (800, 21), (1100, 25)];

fn demo_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("演示发展党员记录未能登记：{e}"))
}

/// Loads the demo cases, spread over `branches`, one applicant each from `people`.
pub async fn load(
    ctx: &Ctx<'_>,
    actor: &Actor,
    branches: &[Uuid],
    people: Vec<Applicant>,
) -> Result<usize, StoreError> {
    let mut count = 0;
    for (k, ((ago, steps), person)) in CASES.iter().zip(people).enumerate() {
        let application = ctx.today - Duration::days(*ago);
        let req = OpenCase {
            organization_id: branches[k % branches.len()],
            name: person.name,
            gender: person.gender,
            birth_date: person.birth_date,
            id_number: person.id_number,
            phone: String::new(),
            person: PersonDetails {
                ethnicity: "汉族".into(),
                education: "大学本科".into(),
                occupation: Occupation::Professional,
                work_unit: "华夏能源集团".into(),
                post: "技术员".into(),
            },
            application_date: application,
            documents: Vec::new(),
            notes: String::new(),
        };
        let mut case = open(ctx, actor, req).await.map_err(demo_error)?;
        for step in PipelineStep::ALL.into_iter().take(*steps).skip(1) {
            let on = application + Duration::days(OFFSETS[usize::from(step.number()) - 1]);
            case = record(ctx, actor, case.case.id, step_request(&case, step, on)).await.map_err(demo_error)?;
        }
        count += 1;
    }
    Ok(count)
}

fn people(role: &str, names: &[&str]) -> Vec<CasePerson> {
    names.iter().map(|n| CasePerson { role: role.into(), name: (*n).into() }).collect()
}

fn step_request(case: &CaseView, step: PipelineStep, on: NaiveDate) -> RecordStep {
    use PipelineStep as P;
    let vote = CaseVote { eligible: 12, present: 10, in_favour: 10, against: 0, abstain: 0 };
    RecordStep {
        version: case.case.version,
        kind: None,
        step: Some(step),
        date: on,
        notice_start: matches!(step, P::SelectActivist | P::DesignateTarget | P::PreReview | P::ConversionApproval)
            .then_some(on - Duration::days(10)),
        approved_on: None,
        months: None,
        people: match step {
            P::ApplicantTalk | P::CommitteeTalk => people("谈话人", &["刘建国"]),
            P::AssignMentors => people("培养联系人", &["王志强", "李秀英"]),
            P::ChooseSponsors => people("入党介绍人", &["王志强", "李秀英"]),
            _ => Vec::new(),
        },
        documents: Vec::new(),
        vote: matches!(step, P::AdmissionMeeting | P::ConversionMeeting).then_some(vote),
        training: (step == P::ConcentratedTraining).then_some(CaseTraining { days: 3, hours: 24 }),
        reason: String::new(),
        notes: String::new(),
    }
}
