//! JSON kept in a text column, decoded into its type when the row is read.

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};

/// A JSON column decoded into `T`. A stored value that does not decode fails the read with an error
/// (the server logs it and answers 500): it never turns silently into an empty list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonText<T>(pub T);

impl<T: DeserializeOwned> TryFrom<String> for JsonText<T> {
    type Error = serde_json::Error;
    fn try_from(text: String) -> Result<JsonText<T>, serde_json::Error> {
        serde_json::from_str(&text).map(JsonText)
    }
}

impl<T: DeserializeOwned> TryFrom<Option<String>> for JsonText<Option<T>> {
    type Error = serde_json::Error;
    fn try_from(text: Option<String>) -> Result<JsonText<Option<T>>, serde_json::Error> {
        text.map(|t| serde_json::from_str(&t)).transpose().map(JsonText)
    }
}

impl<T> std::ops::Deref for JsonText<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for JsonText<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_or_fails() {
        let ok: JsonText<Vec<u32>> = "[1,2]".to_owned().try_into().unwrap();
        assert_eq!(ok.0, vec![1, 2]);
        assert!(
            JsonText::<Vec<u32>>::try_from("[1,".to_owned()).is_err(),
            "broken JSON is an error, not an empty list"
        );
        let none: JsonText<Option<u32>> = None.try_into().unwrap();
        assert_eq!(none.0, None);
    }
}
