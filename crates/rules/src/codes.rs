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

#[cfg(test)]
mod tests {
    use crate::idcard::Gender;
    use crate::member::{Occupation, Status};
    use crate::org::{OrgKind, OrgStatus};

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
    }
}
