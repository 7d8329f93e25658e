//! JSON kept in a text column, decoded into its type when the row is read.

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};

/// A JSON column decoded into `T`. A stored value that does not decode fails the read with an error
/// (the server logs it and answers 500): it never turns silently into an empty list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stored<T>(pub T);

impl<T: DeserializeOwned> TryFrom<String> for Stored<T> {
    type Error = serde_json::Error;
    fn try_from(text: String) -> Result<Stored<T>, serde_json::Error> {
        serde_json::from_str(&text).map(Stored)
    }
}

impl<T: DeserializeOwned> TryFrom<Option<String>> for Stored<Option<T>> {
    type Error = serde_json::Error;
    fn try_from(text: Option<String>) -> Result<Stored<Option<T>>, serde_json::Error> {
        text.map(|t| serde_json::from_str(&t)).transpose().map(Stored)
    }
}

impl<T> std::ops::Deref for Stored<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for Stored<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_or_fails() {
        let ok: Stored<Vec<u32>> = "[1,2]".to_owned().try_into().unwrap();
        assert_eq!(ok.0, vec![1, 2]);
        assert!(Stored::<Vec<u32>>::try_from("[1,".to_owned()).is_err(), "broken JSON is an error, not an empty list");
        let none: Stored<Option<u32>> = None.try_into().unwrap();
        assert_eq!(none.0, None);
    }
}
