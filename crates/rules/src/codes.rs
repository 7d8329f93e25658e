//! Closed lists of codes (organization kinds, member statuses, grades…): each variant with the code
//! the API and the database use and its Chinese label, declared once with [`code_list!`].

/// A stored or submitted code that is not one of its list's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{list}代码：{code:?}")]
pub struct UnknownCode {
    /// What the list is, in Chinese (组织类型…).
    pub list: &'static str,
    pub code: String,
}

/// Declares an enum of codes: serde writes and reads each variant as its code (so a wrong code is a
/// deserialization error naming the field), with `ALL`, `code()`, `from_code()`, `label()`,
/// `Display` (the code) and `TryFrom<String>` (for decoding a stored column). With the invoking
/// crate's `schema` feature the enum is also a `utoipa::ToSchema`, an enum of its codes.
#[macro_export]
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:tt, $label:tt; )+
        }
    ) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The code the API and the database use.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The Chinese name people read.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::codes::UnknownCode;
            fn try_from(code: String) -> Result<$name, $crate::codes::UnknownCode> {
                $name::from_code(&code).ok_or($crate::codes::UnknownCode { list: $what, code })
            }
        }
    };
}

code_list! {
    /// The kind of a meeting record (会议类型): the kinds the rules require, plus two committee
    /// activities without a frequency rule.
    #[derive(PartialOrd, Ord)]
    pub enum RecordKind: "会议类型" {
        GeneralMeeting = "general_meeting", "党员大会";
        BranchCommittee = "branch_committee", "支部委员会会议";
        PartyGroupMeeting = "party_group_meeting", "党小组会";
        PartyLecture = "party_lecture", "党课";
        ThemeDay = "theme_day", "主题党日";
        LifeMeeting = "life_meeting", "组织生活会";
        DemocraticAppraisal = "democratic_appraisal", "民主评议党员";
        HeartToHeartTalk = "heart_to_heart_talk", "谈心谈话";
        PartyCommittee = "party_committee", "党委会";
        CentralStudy = "central_study", "理论学习中心组学习";
    }
}

code_list! {
    /// Whether a meeting is a plan or a record of one held.
    pub enum MeetingStatus: "会议状态" {
        Planned = "planned", "计划";
        Held = "held", "已召开";
    }
}

code_list! {
    /// How a member attended a meeting.
    pub enum Attendance: "出席情况" {
        Present = "present", "出席";
        Leave = "leave", "请假";
        Absent = "absent", "缺席";
    }
}

use crate::org::OrgKind;

impl RecordKind {
    /// Whether an organization of `org` keeps records of this kind: a 党员大会 where there is a
    /// general meeting to hold (支部, 总支, 党委: election.electoral bodies), a 党小组会 in a party
    /// group, the branch activities in branches, the committee's own meetings in committees and
    /// general branches.
    pub fn fits(self, org: OrgKind) -> bool {
        use RecordKind::*;
        match self {
            PartyGroupMeeting => org == OrgKind::PartyGroup,
            GeneralMeeting => org.is_branch() || org == OrgKind::GeneralBranch || org.is_committee(),
            BranchCommittee | ThemeDay | DemocraticAppraisal => org.is_branch(),
            PartyCommittee | CentralStudy => org.is_committee() || org == OrgKind::GeneralBranch,
            LifeMeeting | PartyLecture | HeartToHeartTalk => org != OrgKind::PartyGroup,
        }
    }

    /// Whether a held record of this kind may also carry the year's 民主评议党员 (held together with
    /// the 组织生活会, or decided at a 党员大会: regulations 3.9).
    pub fn may_carry_appraisal(self) -> bool {
        matches!(self, RecordKind::LifeMeeting | RecordKind::GeneralMeeting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idcard::Gender;
    use crate::member::{Occupation, Status};
    use crate::org::OrgStatus;

    fn round_trip<T>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str)
    where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned + TryFrom<String>,
    {
        let mut seen = std::collections::HashSet::new();
        for &v in all {
            assert!(seen.insert(code(v)), "{v:?}: code used twice");
            assert!(!label(v).is_empty(), "{v:?}: no label");
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::from(code(v)));
            assert_eq!(serde_json::from_value::<T>(code(v).into()).unwrap(), v);
            assert!(T::try_from(code(v).to_owned()).ok() == Some(v));
        }
        assert!(T::try_from("no_such_code".to_owned()).is_err());
        assert!(serde_json::from_value::<T>("no_such_code".into()).is_err());
    }

    #[test]
    fn every_code_is_its_serde_name_and_round_trips() {
        round_trip(&OrgKind::ALL, OrgKind::code, OrgKind::label);
        round_trip(&OrgStatus::ALL, OrgStatus::code, OrgStatus::label);
        round_trip(&Status::ALL, Status::code, Status::label);
        round_trip(&Gender::ALL, Gender::code, Gender::label);
        round_trip(&Occupation::ALL, Occupation::code, Occupation::label);
        round_trip(&RecordKind::ALL, RecordKind::code, RecordKind::label);
        round_trip(&MeetingStatus::ALL, MeetingStatus::code, MeetingStatus::label);
        round_trip(&Attendance::ALL, Attendance::code, Attendance::label);
    }

    #[test]
    fn an_unknown_code_is_an_error_naming_its_list() {
        let e = RecordKind::try_from("tea_party".to_owned()).unwrap_err();
        assert_eq!(e.to_string(), "未知的会议类型代码：\"tea_party\"");
        assert!(serde_json::from_str::<Attendance>("\"late\"").is_err());
    }

    #[test]
    fn kinds_fit_organizations() {
        assert!(RecordKind::GeneralMeeting.fits(OrgKind::Branch));
        assert!(RecordKind::GeneralMeeting.fits(OrgKind::GeneralBranch));
        assert!(RecordKind::GeneralMeeting.fits(OrgKind::PrimaryCommittee));
        assert!(!RecordKind::GeneralMeeting.fits(OrgKind::PartyGroup));
        assert!(RecordKind::PartyGroupMeeting.fits(OrgKind::PartyGroup));
        assert!(!RecordKind::PartyGroupMeeting.fits(OrgKind::Branch));
        assert!(!RecordKind::BranchCommittee.fits(OrgKind::GeneralBranch));
        assert!(RecordKind::CentralStudy.fits(OrgKind::GroupCommittee));
        assert!(!RecordKind::LifeMeeting.fits(OrgKind::PartyGroup));
        assert!(RecordKind::LifeMeeting.may_carry_appraisal());
        assert!(!RecordKind::ThemeDay.may_carry_appraisal());
    }
}
