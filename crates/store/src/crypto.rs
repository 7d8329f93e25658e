//! Encryption at rest of members' ID numbers and phone numbers (optional, on when a data key is set).
//!
//! A stored value is `enc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`, AES-256-GCM with a random
//! 96-bit nonce per value and the field name and member id as associated data, so a value copied into
//! another row or column does not decrypt. The key id (derived from the key) lets old keys keep reading
//! while rows are moved to a new one. Exact lookup and the uniqueness of ID numbers go through a keyed
//! hash (HMAC-SHA256 under a lookup key derived from the data key) kept beside the ciphertext.
//!
//! Values without the prefix are plaintext, as written before the feature was turned on; they keep
//! reading until `dangwu data-key encrypt-existing` has moved them.

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::StoreError;

const PREFIX: &str = "enc1:";
const NONCE_LEN: usize = 12;

/// Which column a value belongs to: part of the associated data and of the lookup hash, so values of
/// one column cannot stand in for another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    IdNumber,
    Phone,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::IdNumber => "members.id_number",
            Field::Phone => "members.phone",
        }
    }
}

struct DataKey {
    id: String,
    aead: Aes256Gcm,
    lookup: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey").field("id", &self.id).finish_non_exhaustive()
    }
}

fn prf(key: &[u8], label: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl DataKey {
    fn parse(text: &str) -> Result<DataKey, StoreError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            STANDARD.decode(text).ok().or_else(|| URL_SAFE_NO_PAD.decode(text).ok())
        };
        let Some(master) = bytes.filter(|b| b.len() == 32) else {
            return Err(StoreError::DataKey(
                "数据密钥应为 32 字节，以 base64（44 个字符）或十六进制（64 个字符）书写".into(),
            ));
        };
        // Separate keys for encryption, lookup and naming: knowing a lookup hash or a key id tells
        // nothing about the encryption key.
        let aead = Aes256Gcm::new_from_slice(&prf(&master, "dangwu/v1/encrypt")).expect("32-byte key");
        let lookup = prf(&master, "dangwu/v1/lookup");
        let id = hex::encode(&prf(&master, "dangwu/v1/key-id")[..4]);
        Ok(DataKey { id, aead, lookup })
    }

    fn hash(&self, field: Field, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.lookup).expect("HMAC takes keys of any length");
        mac.update(field.name().as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

fn aad(field: Field, member: Uuid) -> String {
    format!("dangwu/{}/{member}", field.name())
}

/// The data key in force and the older keys still accepted for reading.
#[derive(Debug)]
pub struct DataKeys {
    current: DataKey,
    old: Vec<DataKey>,
}

impl DataKeys {
    /// Parses the current key and the old ones (each 32 bytes, base64 or hex).
    pub fn parse<S: AsRef<str>>(current: &str, old: &[S]) -> Result<DataKeys, StoreError> {
        let current = DataKey::parse(current)?;
        let mut keys = DataKeys { current, old: Vec::new() };
        for text in old {
            let key = DataKey::parse(text.as_ref())?;
            if key.id != keys.current.id && keys.old.iter().all(|k| k.id != key.id) {
                keys.old.push(key);
            }
        }
        Ok(keys)
    }

    /// A new random key, base64.
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("operating system random source");
        STANDARD.encode(bytes)
    }

    /// The id of the key new values are written with (it appears in every stored value).
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Ids of the old keys accepted for reading.
    pub fn old_ids(&self) -> Vec<&str> {
        self.old.iter().map(|k| k.id.as_str()).collect()
    }

    /// The stored prefix of values written with the current key.
    pub fn current_prefix(&self) -> String {
        format!("{PREFIX}{}:", self.current.id)
    }

    /// Encrypts a value of `member` under the current key. An empty value (no phone) stays empty.
    pub fn seal(&self, field: Field, member: Uuid, plain: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        let nonce = Nonce::generate();
        let aad = aad(field, member);
        let sealed = self
            .current
            .aead
            .encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
            .expect("AES-GCM encrypts any value this short");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", self.current.id, URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The lookup hash of a value under the current key (`None` for an empty value).
    pub fn hash(&self, field: Field, value: &str) -> Option<String> {
        (!value.is_empty()).then(|| self.current.hash(field, value))
    }

    /// The lookup hashes of a value under every accepted key: rows not yet moved to the current key
    /// carry the hash of their own key.
    pub fn hashes(&self, field: Field, value: &str) -> Vec<String> {
        if value.is_empty() {
            return Vec::new();
        }
        std::iter::once(&self.current).chain(&self.old).map(|k| k.hash(field, value)).collect()
    }

    fn key(&self, id: &str) -> Option<&DataKey> {
        std::iter::once(&self.current).chain(&self.old).find(|k| k.id == id)
    }
}

/// Whether a stored value is ciphertext (else it is plaintext from before encryption was turned on).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// A person's ID number and phone as read from a table, opened in place (members and recruitment
/// cases keep them alike, keyed by the row's id).
pub(crate) fn open_identifiers(
    keys: Option<&DataKeys>,
    owner: Uuid,
    id_number: &mut String,
    phone: &mut String,
) -> Result<(), StoreError> {
    *id_number = open(keys, Field::IdNumber, owner, id_number)?;
    *phone = open(keys, Field::Phone, owner, phone)?;
    Ok(())
}

/// A person's ID number and phone as the audit log keeps them. They are part of the record of a
/// change (the log is readable only by the audit admin); when they are encrypted at rest the log
/// keeps them masked, or it would hold in plaintext what the tables do not.
pub(crate) fn audit_identifiers(keys: Option<&DataKeys>, id_number: &str, phone: &str) -> (String, String) {
    match keys {
        Some(_) => (dangwu_rules::idcard::mask(id_number), dangwu_rules::idcard::mask_phone(phone)),
        None => (id_number.to_owned(), phone.to_owned()),
    }
}

/// The plaintext of a stored value. Ciphertext without a matching key, or that fails authentication,
/// is an error naming the cause, never garbage.
pub fn open(keys: Option<&DataKeys>, field: Field, member: Uuid, stored: &str) -> Result<String, StoreError> {
    let Some(rest) = stored.strip_prefix(PREFIX) else {
        return Ok(stored.to_owned());
    };
    let Some(keys) = keys else {
        return Err(StoreError::DataKey(
            "党员证件号码和手机号码已加密存储，但未配置数据密钥（DANGWU_DATA_KEY）".into(),
        ));
    };
    let (id, body) = rest.split_once(':').unwrap_or((rest, ""));
    let Some(key) = keys.key(id) else {
        return Err(StoreError::DataKey(format!(
            "数据由密钥 {id} 加密，但配置中没有该密钥（当前密钥 {}）；请把它加入旧密钥（DANGWU_OLD_DATA_KEYS）",
            keys.current.id
        )));
    };
    let corrupt =
        || StoreError::DataKey(format!("党员 {member} 的加密数据无法通过校验（密钥 {id}）：数据被改动或密钥不符"));
    let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| corrupt())?;
    if bytes.len() < NONCE_LEN {
        return Err(corrupt());
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_from(nonce).map_err(|_| corrupt())?;
    let aad = aad(field, member);
    let plain = key.aead.decrypt(&nonce, Payload { msg: sealed, aad: aad.as_bytes() }).map_err(|_| corrupt())?;
    String::from_utf8(plain).map_err(|_| corrupt())
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2_HEX: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    #[test]
    fn seals_and_opens_with_random_nonces() {
        let keys = DataKeys::parse::<&str>(K1, &[]).unwrap();
        let id = Uuid::now_v7();
        let a = keys.seal(Field::IdNumber, id, "11010519491231002X");
        let b = keys.seal(Field::IdNumber, id, "11010519491231002X");
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(a.starts_with(&keys.current_prefix()));
        assert!(!a.contains("19491231"));
        assert_eq!(open(Some(&keys), Field::IdNumber, id, &a).unwrap(), "11010519491231002X");
        assert_eq!(keys.seal(Field::Phone, id, ""), "");
        assert_eq!(open(Some(&keys), Field::Phone, id, "").unwrap(), "");
    }

    #[test]
    fn plaintext_reads_as_is_with_or_without_a_key() {
        let keys = DataKeys::parse::<&str>(K1, &[]).unwrap();
        let id = Uuid::now_v7();
        assert_eq!(open(Some(&keys), Field::Phone, id, "13800001234").unwrap(), "13800001234");
        assert_eq!(open(None, Field::Phone, id, "13800001234").unwrap(), "13800001234");
    }

    #[test]
    fn values_are_bound_to_their_row_and_column() {
        let keys = DataKeys::parse::<&str>(K1, &[]).unwrap();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let sealed = keys.seal(Field::IdNumber, a, "11010519491231002X");
        assert!(open(Some(&keys), Field::IdNumber, b, &sealed).is_err());
        assert!(open(Some(&keys), Field::Phone, a, &sealed).is_err());
    }

    #[test]
    fn wrong_or_missing_key_is_an_error_not_garbage() {
        let k1 = DataKeys::parse::<&str>(K1, &[]).unwrap();
        let k2 = DataKeys::parse::<&str>(K2_HEX, &[]).unwrap();
        let id = Uuid::now_v7();
        let sealed = k1.seal(Field::IdNumber, id, "11010519491231002X");
        let err = open(Some(&k2), Field::IdNumber, id, &sealed).unwrap_err().to_string();
        assert!(err.contains(k1.current_id()), "{err}");
        assert!(open(None, Field::IdNumber, id, &sealed).unwrap_err().to_string().contains("未配置数据密钥"));
        // The right key id with tampered bytes.
        let mut tampered = sealed.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(open(Some(&k1), Field::IdNumber, id, &tampered).unwrap_err().to_string().contains("无法通过校验"));
    }

    #[test]
    fn old_keys_read_and_hash_until_rows_move() {
        let old = DataKeys::parse::<&str>(K1, &[]).unwrap();
        let rotated = DataKeys::parse(K2_HEX, &[K1]).unwrap();
        let id = Uuid::now_v7();
        let sealed = old.seal(Field::Phone, id, "13800001234");
        assert_eq!(open(Some(&rotated), Field::Phone, id, &sealed).unwrap(), "13800001234");
        let hashes = rotated.hashes(Field::Phone, "13800001234");
        assert_eq!(hashes.len(), 2);
        assert_eq!(hashes[1], old.hash(Field::Phone, "13800001234").unwrap());
        assert_ne!(hashes[0], hashes[1]);
        assert_ne!(rotated.hash(Field::Phone, "1"), rotated.hash(Field::IdNumber, "1"));
        assert_eq!(rotated.old_ids(), vec![old.current_id()]);
    }

    #[test]
    fn keys_must_be_32_bytes() {
        assert!(DataKeys::parse::<&str>("c2hvcnQ=", &[]).is_err());
        assert!(DataKeys::parse::<&str>("not a key", &[]).is_err());
        assert!(DataKeys::parse::<&str>(&DataKeys::generate(), &[]).is_ok());
    }
}
