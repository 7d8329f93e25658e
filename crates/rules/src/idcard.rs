//! 公民身份号码 (GB 11643-1999): 18 characters, 6-digit region, 8-digit birth date, 3-digit sequence
//! (odd for men, even for women), one check character computed with ISO 7064 MOD 11-2.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

crate::code_list! {
    /// 性别.
    pub enum Gender: "性别" {
        Male = "male", "男";
        Female = "female", "女";
    }
}

/// What an ID number says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    /// Normalised: upper-case `X`.
    pub number: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("公民身份号码应为18位")]
    Length,
    #[error("公民身份号码前17位应为数字，最后一位为数字或X")]
    Characters,
    #[error("公民身份号码中的出生日期无效")]
    BirthDate,
    #[error("公民身份号码校验位错误")]
    CheckDigit,
}

/// The check character for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// Parses and validates an 18-character ID number.
pub fn parse(input: &str) -> Result<IdNumber, IdNumberError> {
    let number = input.trim().to_ascii_uppercase();
    if number.chars().count() != 18 {
        return Err(IdNumberError::Length);
    }
    // Byte offsets below are character offsets only for ASCII (18 characters may be 20+ bytes).
    if !number.is_ascii() {
        return Err(IdNumberError::Characters);
    }
    let (body, last) = number.split_at(17);
    if !body.bytes().all(|b| b.is_ascii_digit()) || !matches!(last.as_bytes()[0], b'0'..=b'9' | b'X') {
        return Err(IdNumberError::Characters);
    }
    let birth_date = NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").map_err(|_| IdNumberError::BirthDate)?;
    if birth_date < NaiveDate::from_ymd_opt(1880, 1, 1).expect("valid date") {
        return Err(IdNumberError::BirthDate);
    }
    if check_char(body) != last.chars().next() {
        return Err(IdNumberError::CheckDigit);
    }
    let sequence_digit = body.as_bytes()[16] - b'0';
    let gender = if sequence_digit % 2 == 1 { Gender::Male } else { Gender::Female };
    Ok(IdNumber { number, birth_date, gender })
}

/// Characters of an ID number left visible: the first and the last.
///
/// Everything else a masked view may show (birth date, gender, organization and work unit, from which
/// the region may be guessed) fixes at most the region, the eight birth digits and the parity of the
/// 17th digit. The two other sequence digits and the rest of the 17th stay open, and the visible check
/// character keeps one in eleven of those 500 numbers: at least 45 candidates are left whatever is
/// known (see the test `masked_number_leaves_at_least_45_candidates`). The 8-digit birth date alone must
/// never be the hidden part: it is shown elsewhere.
pub const MASK_KEEP: (usize, usize) = (1, 1);
// The argument above holds while the sequence digits (positions 15 to 17) stay hidden.
const _: () = assert!(MASK_KEEP.0 <= 14 && MASK_KEEP.1 <= 1);

/// The ID number with all but its first and last characters hidden: `1****************X`.
pub fn mask(number: &str) -> String {
    keep_ends(number, MASK_KEEP.0, MASK_KEEP.1, 10)
}

/// The phone number with all but its first three and last two digits hidden: `138******78`. Six
/// hidden digits are a million numbers, and no other field says anything about them.
pub fn mask_phone(phone: &str) -> String {
    keep_ends(phone, 3, 2, 8)
}

/// Keeps `head` and `tail` characters of values of at least `min` characters; shorter ones are hidden
/// whole, as too little would be left hidden.
fn keep_ends(value: &str, head: usize, tail: usize, min: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < min {
        return "*".repeat(chars.len());
    }
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}{}{end}", "*".repeat(chars.len() - head - tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example of GB 11643-1999 appendix: 11010519491231002X.
    #[test]
    fn gb11643_example_is_valid_and_female() {
        let id = parse("11010519491231002x").unwrap();
        assert_eq!(id.number, "11010519491231002X");
        assert_eq!(id.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.gender, Gender::Female);
    }

    #[test]
    fn male_from_odd_sequence_digit() {
        // 440524188001010014: the other example of the standard.
        let id = parse("440524188001010014").unwrap();
        assert_eq!(id.gender, Gender::Male);
    }

    #[test]
    fn wrong_check_digit_is_rejected() {
        assert_eq!(parse("110105194912310021"), Err(IdNumberError::CheckDigit));
    }

    #[test]
    fn impossible_birth_date_is_rejected() {
        let body = "11010519490231002";
        let full = format!("{body}{}", check_char(body).unwrap());
        assert_eq!(parse(&full), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn length_and_characters() {
        assert_eq!(parse("1101051949123100"), Err(IdNumberError::Length));
        assert_eq!(parse("11010519491231002Y"), Err(IdNumberError::Characters));
        assert_eq!(parse("1101051949123100A2"), Err(IdNumberError::Characters));
    }

    #[test]
    fn masks() {
        assert_eq!(mask("11010519491231002X"), "1****************X");
        assert_eq!(mask_phone("13812345678"), "138******78");
        assert_eq!(mask("1234"), "****");
        assert_eq!(mask_phone("12345"), "*****");
    }

    /// The worst case for a masked number: the region, birth date and gender are all known and only
    /// the first and last characters are seen. For every possible sum of the known digits and every
    /// check character, count the sequences (two free digits, a third of the gender's parity) that
    /// agree with it.
    #[test]
    fn masked_number_leaves_at_least_45_candidates() {
        for parity in 0..2u32 {
            for known in 0..11u32 {
                let mut per_check = [0u32; 11];
                for a in 0..10 {
                    for b in 0..10 {
                        for c in (parity..10).step_by(2) {
                            per_check[((known + a * WEIGHTS[14] + b * WEIGHTS[15] + c * WEIGHTS[16]) % 11) as usize] +=
                                1;
                        }
                    }
                }
                assert!(per_check.iter().all(|&n| n >= 45), "{per_check:?}");
            }
        }
    }
}
