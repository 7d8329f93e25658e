//! Spreadsheets in and out: rosters and ledgers in the column order users know; printable PDFs
//! (meeting records) in [`pdf`].

pub mod pdf;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One row of the member roster (党员花名册), already in display form.
pub struct RosterRow {
    pub organization: String,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub ethnicity: String,
    pub education: String,
    pub id_number: String,
    pub phone: String,
    pub occupation: String,
    pub work_unit: String,
    pub post: String,
    pub joined_on: NaiveDate,
    pub converted_on: Option<NaiveDate>,
    pub status: String,
}

/// Roster columns, in the order of the official member information form exports.
pub const ROSTER_COLUMNS: [(&str, f64); 15] = [
    ("序号", 6.0),
    ("所属党组织", 28.0),
    ("姓名", 10.0),
    ("性别", 6.0),
    ("出生日期", 12.0),
    ("民族", 8.0),
    ("学历", 10.0),
    ("公民身份号码", 21.0),
    ("联系电话", 14.0),
    ("职业类别", 18.0),
    ("工作单位", 24.0),
    ("职务", 14.0),
    ("入党日期", 12.0),
    ("转正日期", 12.0),
    ("党籍状态", 10.0),
];

/// Rows one roster may hold: a worksheet's 1,048,576 rows less the header.
pub const ROSTER_MAX_ROWS: u32 = 1_048_575;

/// Writes the roster row by row. The sheet is in constant-memory mode: each finished row goes to a
/// temporary file at once, so a roster of 500,000 members takes about as much memory as one of 50.
/// Dates are written as text in `YYYY-MM-DD` so that every spreadsheet program shows them the same
/// way; empty values are written as "—" (no blanks).
pub struct RosterWriter {
    book: Workbook,
    cell: Format,
    rows: u32,
}

impl RosterWriter {
    pub fn new() -> Result<RosterWriter, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name("党员花名册")?;
        let head = Format::new()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_border(FormatBorder::Thin)
            .set_background_color("#F2DCDB");
        for (col, (title, width)) in ROSTER_COLUMNS.iter().enumerate() {
            sheet.set_column_width(col as u16, *width)?;
            sheet.write_with_format(0, col as u16, *title, &head)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(RosterWriter { book, cell: Format::new().set_border(FormatBorder::Thin), rows: 0 })
    }

    /// Members written so far.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    pub fn push(&mut self, r: &RosterRow) -> Result<(), XlsxError> {
        if self.rows >= ROSTER_MAX_ROWS {
            return Err(XlsxError::RowColumnLimitError);
        }
        self.rows += 1;
        let row = self.rows;
        let dash = |s: &str| if s.trim().is_empty() { "—".to_owned() } else { s.to_owned() };
        let values = [
            row.to_string(),
            dash(&r.organization),
            dash(&r.name),
            dash(&r.gender),
            r.birth_date.to_string(),
            dash(&r.ethnicity),
            dash(&r.education),
            dash(&r.id_number),
            dash(&r.phone),
            dash(&r.occupation),
            dash(&r.work_unit),
            dash(&r.post),
            r.joined_on.to_string(),
            r.converted_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            dash(&r.status),
        ];
        let sheet = self.book.worksheet_from_index(0)?;
        for (col, v) in values.iter().enumerate() {
            sheet.write_with_format(row, col as u16, v.as_str(), &self.cell)?;
        }
        Ok(())
    }

    /// Finishes the file into `out` (a temporary file for a large roster).
    pub fn finish<W: std::io::Write + Send>(mut self, out: W) -> Result<u32, XlsxError> {
        if self.rows > 0 {
            let last_col = (ROSTER_COLUMNS.len() - 1) as u16;
            self.book.worksheet_from_index(0)?.autofilter(0, 0, self.rows, last_col)?;
        }
        self.book.save_to_writer(out)?;
        Ok(self.rows)
    }
}

/// Writes a roster of rows already in memory as an .xlsx file.
pub fn member_roster(rows: &[RosterRow]) -> Result<Vec<u8>, XlsxError> {
    let mut writer = RosterWriter::new()?;
    for r in rows {
        writer.push(r)?;
    }
    let mut out = std::io::Cursor::new(Vec::new());
    writer.finish(&mut out)?;
    Ok(out.into_inner())
}

/// Reads the first sheet of an .xlsx file as rows of text (header row included).
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, calamine::XlsxError> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))?;
    let Some(range) = book.worksheet_range_at(0) else { return Ok(Vec::new()) };
    let range = range?;
    Ok(range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect())
}

/// Writes a simple titled table (a ledger or a summary) as an .xlsx file: title row, header row, rows.
pub fn table(title: &str, head: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let title_format = Format::new().set_bold().set_font_size(14);
    let head_format = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2DCDB");
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    sheet.write_with_format(0, 0, title, &title_format)?;
    for (col, h) in head.iter().enumerate() {
        sheet.write_with_format(1, col as u16, h.as_str(), &head_format)?;
        sheet.set_column_width(col as u16, (h.chars().count() as f64 * 2.2).max(10.0))?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            sheet.write_with_format((i + 2) as u32, col as u16, v.as_str(), &cell)?;
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_round_trips_through_a_reader() {
        let row = RosterRow {
            organization: "第一党支部".into(),
            name: "张三".into(),
            gender: "男".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 1, 2).unwrap(),
            ethnicity: "汉族".into(),
            education: "大学本科".into(),
            id_number: "1****************X".into(),
            phone: "".into(),
            occupation: "专业技术人员".into(),
            work_unit: "某公司".into(),
            post: "".into(),
            joined_on: NaiveDate::from_ymd_opt(2015, 7, 1).unwrap(),
            converted_on: None,
            status: "预备党员".into(),
        };
        let bytes = member_roster(&[row]).unwrap();
        let rows = read_rows(&bytes).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][7], "公民身份号码");
        assert_eq!(rows[1][2], "张三");
        assert_eq!(rows[1][8], "—");
        assert_eq!(rows[1][12], "2015-07-01");
    }
}
