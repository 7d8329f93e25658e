//! Printable PDFs, typeset with Typst as a library.
//!
//! The CJK font (WenQuanYi Micro Hei, Apache-2.0 or GPLv3 with the font exception; see
//! `fonts/LICENSE-wqy-microhei.txt`) is compiled into the binary, so every machine renders the same
//! PDF without system fonts, and the PDF embeds only the glyphs it uses.
//!
//! User text never becomes Typst markup: the record is serialized to JSON and handed to the template
//! as `sys.inputs.data`, which reads it with `json(..)` and places the values as plain strings.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};
use typst::diag::SourceDiagnostic;
use typst::foundations::{Bytes, Dict, IntoValue};
use typst::text::Font;
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

/// WenQuanYi Micro Hei (a TrueType collection: the proportional and the monospaced face).
static FONT: &[u8] = include_bytes!("../fonts/wqy-microhei.ttc");
/// The family name the templates ask for.
pub const FONT_FAMILY: &str = "WenQuanYi Micro Hei";

static MEETING_RECORD_TEMPLATE: &str = include_str!("meeting_record.typ");

/// Built once per process: parsing the font and the template is the expensive part.
static MEETING_RECORD: LazyLock<TypstEngine<TypstTemplateMainFile>> = LazyLock::new(|| {
    TypstEngine::builder().main_file(MEETING_RECORD_TEMPLATE).fonts(Font::iter(Bytes::new(FONT))).build()
});

/// Why a PDF could not be made. Either is a bug in the template or this module, not in the data.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("typesetting failed: {0}")]
    Typeset(String),
    #[error("PDF export failed: {0}")]
    Export(String),
}

/// One organizational-life meeting record (会议记录), in display form: names are names, labels are the
/// Chinese labels to print. Empty single-line fields print as "—"; sections without content are left
/// out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRecord {
    /// The organization that held the meeting, e.g. "第一党支部". The title is "{organization} 会议记录".
    pub organization: String,
    /// The meeting kind as a label, e.g. "支部委员会会议", "组织生活会".
    pub kind: String,
    pub topic: String,
    pub date: NaiveDate,
    /// Start and end time as entered, e.g. "14:30" (either may be empty).
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub chair: String,
    pub recorder: String,
    /// Who gave the 党课 / lecture, when there was one.
    pub lecturer: Option<String>,
    /// 应到 / 实到.
    pub expected: u32,
    pub present: u32,
    /// Names of those present (出席).
    pub attendees: Vec<String>,
    /// Those on leave (请假), with the reason.
    pub on_leave: Vec<Leave>,
    /// Names of those absent without leave (缺席).
    pub absent: Vec<String>,
    pub agenda: Vec<AgendaItem>,
    /// The minutes as typed: each non-empty line is a paragraph.
    pub minutes: String,
    /// Decisions as typed: each non-empty line is a paragraph.
    pub decisions: String,
    pub votes: Vec<Vote>,
    /// The quorum finding, e.g. "应到 7 人，实到 6 人，超过半数，会议有效。"
    pub quorum: Option<String>,
    /// Problems raised at a 组织生活会 and the rectification measures.
    pub problems: Vec<Problem>,
    /// When the PDF was generated, in local time: "由党务平台生成于 …".
    pub generated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub title: String,
    /// Marked 第一议题 (studying the latest important speeches first).
    pub first_topic: bool,
    /// Marked 决策事项 (a matter decided at this meeting).
    pub decision: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub motion: String,
    pub in_favour: u32,
    pub against: u32,
    pub abstain: u32,
    /// The outcome as printed, e.g. "通过" or "未通过".
    pub result: String,
    /// The rule behind the outcome, e.g. "赞成票超过应到会有表决权党员的半数".
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub raised_by: String,
    pub problem: String,
    pub measure: String,
}

/// Renders one meeting record as an A4 PDF.
pub fn meeting_record(record: &MeetingRecord) -> Result<Vec<u8>, PdfError> {
    let document = typeset_meeting_record(record)?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|diagnostics| PdfError::Export(describe(&diagnostics)))
}

/// Lays the record out into pages (the step before PDF export; tests read the text from it).
fn typeset_meeting_record(record: &MeetingRecord) -> Result<PagedDocument, PdfError> {
    let json = serde_json::to_vec(&MeetingView::new(record)).map_err(|e| PdfError::Typeset(e.to_string()))?;
    let mut inputs = Dict::new();
    inputs.insert("data".into(), Bytes::new(json).into_value());
    MEETING_RECORD.compile_with_input(inputs).output.map_err(|e| {
        PdfError::Typeset(match e {
            TypstAsLibError::TypstSource(diagnostics) => describe(&diagnostics),
            other => other.to_string(),
        })
    })
}

fn describe(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let mut s = d.message.to_string();
            for hint in &d.hints {
                s.push_str("; hint: ");
                s.push_str(&hint.v);
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// What the template reads: every string already in its printed form.
#[derive(Serialize)]
struct MeetingView {
    title: String,
    organization: String,
    kind: String,
    topic: String,
    time: String,
    place: String,
    chair: String,
    recorder: String,
    lecturer: Option<String>,
    expected: u32,
    present: u32,
    attendees: String,
    absence: String,
    quorum: Option<String>,
    agenda: Vec<AgendaItem>,
    minutes: Vec<String>,
    decisions: Vec<String>,
    votes: Vec<Vote>,
    problems: Vec<Problem>,
    generated: String,
}

impl MeetingView {
    fn new(r: &MeetingRecord) -> Self {
        let organization = line(&r.organization);
        let on_leave: Vec<String> = r
            .on_leave
            .iter()
            .map(|l| match line(&l.reason).as_str() {
                "" => line(&l.name),
                reason => format!("{}（{reason}）", line(&l.name)),
            })
            .collect();
        let mut absence = Vec::new();
        if !on_leave.is_empty() {
            absence.push(format!("请假：{}", on_leave.join("、")));
        }
        if !r.absent.is_empty() {
            absence.push(format!("缺席：{}", names(&r.absent)));
        }
        MeetingView {
            title: format!("{organization} 会议记录"),
            organization,
            kind: or_dash(line(&r.kind)),
            topic: or_dash(line(&r.topic)),
            time: meeting_time(r.date, &r.start_time, &r.end_time),
            place: or_dash(line(&r.place)),
            chair: or_dash(line(&r.chair)),
            recorder: or_dash(line(&r.recorder)),
            lecturer: r.lecturer.as_deref().map(line).filter(|s| !s.is_empty()),
            expected: r.expected,
            present: r.present,
            attendees: names(&r.attendees),
            absence: if absence.is_empty() { "无".into() } else { absence.join("；") },
            quorum: r.quorum.as_deref().map(line).filter(|s| !s.is_empty()),
            agenda: r
                .agenda
                .iter()
                .map(|a| AgendaItem { title: line(&a.title), ..a.clone() })
                .filter(|a| !a.title.is_empty())
                .collect(),
            minutes: paragraphs(&r.minutes),
            decisions: paragraphs(&r.decisions),
            votes: r
                .votes
                .iter()
                .map(|v| Vote {
                    motion: or_dash(line(&v.motion)),
                    result: or_dash(line(&v.result)),
                    message: line(&v.message),
                    ..v.clone()
                })
                .collect(),
            problems: r
                .problems
                .iter()
                .map(|p| Problem {
                    raised_by: or_dash(line(&p.raised_by)),
                    problem: or_dash(line(&p.problem)),
                    measure: or_dash(line(&p.measure)),
                })
                .collect(),
            generated: format!("由党务平台生成于 {}", date_time(r.generated_at)),
        }
    }
}

/// One line of text: runs of whitespace (including newlines) become one space.
fn line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "—".into() } else { s }
}

fn names(list: &[String]) -> String {
    list.iter().map(|n| line(n)).filter(|n| !n.is_empty()).collect::<Vec<_>>().join("、")
}

/// Each non-empty line is a paragraph; leading full-width spaces typed for indentation are dropped
/// (the template indents every paragraph by two characters).
fn paragraphs(s: &str) -> Vec<String> {
    s.lines().map(line).filter(|p| !p.is_empty()).collect()
}

fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn weekday(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

fn meeting_time(date: NaiveDate, start: &str, end: &str) -> String {
    let day = format!("{}（{}）", chinese_date(date), weekday(date));
    match (line(start).as_str(), line(end).as_str()) {
        ("", "") => day,
        (start, "") => format!("{day} {start} 起"),
        ("", end) => format!("{day} 至 {end}"),
        (start, end) => format!("{day} {start}—{end}"),
    }
}

fn date_time(t: NaiveDateTime) -> String {
    format!("{} {}", chinese_date(t.date()), t.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Instant;

    use chrono::NaiveTime;
    use typst::layout::{Frame, FrameItem};

    use super::*;

    fn sample() -> MeetingRecord {
        MeetingRecord {
            organization: "中共某某公司第一支部委员会".into(),
            kind: "支部委员会会议".into(),
            topic: "学习贯彻党的二十届四中全会精神，研究第一季度党建工作".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 12).unwrap(),
            start_time: "14:30".into(),
            end_time: "16:30".into(),
            place: "公司三楼党员活动室".into(),
            chair: "张建国".into(),
            recorder: "李晓梅".into(),
            lecturer: Some("张建国".into()),
            expected: 7,
            present: 5,
            attendees: ["张建国", "李晓梅", "王志强", "陈静", "刘洋"].map(String::from).to_vec(),
            on_leave: vec![Leave { name: "赵磊".into(), reason: "出差".into() }],
            absent: vec!["孙浩".into()],
            agenda: vec![
                AgendaItem {
                    title: "学习习近平总书记近期重要讲话精神".into(),
                    first_topic: true,
                    decision: false,
                },
                AgendaItem {
                    title: "研究确定 2026 年度发展党员计划".into(),
                    first_topic: false,
                    decision: true,
                },
                AgendaItem {
                    title: "讨论接收王志强同志为预备党员".into(),
                    first_topic: false,
                    decision: true,
                },
                AgendaItem { title: "通报第一季度党费收缴情况".into(), ..Default::default() },
            ],
            minutes: "　　张建国同志领学了习近平总书记近期重要讲话精神，强调要把学习成果转化为推动企业高质量发展的实际成效。\n\n\
                      李晓梅同志汇报了 2026 年度发展党员计划草案：拟发展党员 2 名，其中生产一线 1 名、35 岁以下青年 2 名。\n\
                      与会同志逐一发表意见，一致认为计划符合《中国共产党发展党员工作细则》的要求。\n\
                      组织委员通报了第一季度党费收缴情况：应交 7 人，已交 7 人，收缴率 100%。"
                .into(),
            decisions: "一、通过 2026 年度发展党员计划，报上级党委备案。\n二、同意接收王志强同志为中共预备党员，提交支部党员大会讨论。"
                .into(),
            votes: vec![
                Vote {
                    motion: "2026 年度发展党员计划".into(),
                    in_favour: 5,
                    against: 0,
                    abstain: 0,
                    result: "通过".into(),
                    message: "赞成票超过应到会委员的半数（4 票）".into(),
                },
                Vote {
                    motion: "调整党员活动日时间".into(),
                    in_favour: 2,
                    against: 2,
                    abstain: 1,
                    result: "未通过".into(),
                    message: "赞成票未超过应到会委员的半数（4 票）".into(),
                },
            ],
            quorum: Some("应到 7 人，实到 5 人，超过应到人数的半数，会议有效。".into()),
            problems: vec![
                Problem {
                    raised_by: "王志强".into(),
                    problem: "理论学习不够系统，存在以干代学的现象".into(),
                    measure: "制定个人学习计划，每月至少精读一篇重要文章并撰写心得".into(),
                },
                Problem {
                    raised_by: "陈静".into(),
                    problem: "联系群众不够紧密".into(),
                    measure: "每季度走访一线班组不少于两次".into(),
                },
            ],
            generated_at: NaiveDate::from_ymd_opt(2026, 3, 12)
                .unwrap()
                .and_time(NaiveTime::from_hms_opt(17, 5, 0).unwrap()),
        }
    }

    /// The text of the laid-out pages, in reading order, one string per page.
    fn layout_text(document: &PagedDocument) -> Vec<String> {
        fn walk(frame: &Frame, out: &mut String) {
            for (_, item) in frame.items() {
                match item {
                    FrameItem::Group(group) => walk(&group.frame, out),
                    FrameItem::Text(text) => out.push_str(&text.text),
                    _ => {}
                }
            }
        }
        document
            .pages()
            .iter()
            .map(|page| {
                let mut s = String::new();
                walk(&page.frame, &mut s);
                s
            })
            .collect()
    }

    /// Every glyph on the pages comes from the embedded font and none is the "missing glyph" box.
    fn assert_no_missing_glyphs(document: &PagedDocument) {
        fn walk(frame: &Frame) {
            for (_, item) in frame.items() {
                match item {
                    FrameItem::Group(group) => walk(&group.frame),
                    FrameItem::Text(text) => {
                        let family = &text.font.font().info().family;
                        assert!(family.starts_with(FONT_FAMILY), "unexpected font {family}");
                        for glyph in &text.glyphs {
                            assert_ne!(glyph.id, 0, "missing glyph in {:?}", text.text);
                        }
                    }
                    _ => {}
                }
            }
        }
        for page in document.pages() {
            walk(&page.frame);
        }
    }

    /// Text extracted from the PDF by poppler's `pdftotext`, or `None` when the tool is missing and
    /// this is not CI (in CI the tool is required).
    fn pdftotext(pdf: &[u8], name: &str) -> Option<String> {
        let path = std::env::temp_dir().join(format!("dangwu-{name}-{}.pdf", std::process::id()));
        std::fs::write(&path, pdf).unwrap();
        let output = Command::new("pdftotext").args(["-layout", "-enc", "UTF-8"]).arg(&path).arg("-").output();
        std::fs::remove_file(&path).ok();
        match output {
            Ok(out) => {
                assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
                Some(String::from_utf8(out.stdout).unwrap())
            }
            Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!("skipping the PDF text check: pdftotext not available ({e})");
                None
            }
            Err(e) => panic!("pdftotext is required in CI: {e}"),
        }
    }

    /// Removes the whitespace that layout and extraction insert (line wraps, table cells).
    fn squeeze(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[test]
    fn meeting_record_has_every_section_and_the_text() {
        let record = sample();
        let document = typeset_meeting_record(&record).unwrap();
        assert_no_missing_glyphs(&document);
        let text = squeeze(&layout_text(&document).concat());
        for expected in [
            "中共某某公司第一支部委员会会议记录",
            "（支部委员会会议）",
            "会议主题",
            "2026年3月12日（星期四）14:30—16:30",
            "公司三楼党员活动室",
            "主持人张建国",
            "记录人李晓梅",
            "授课人",
            "应到人数7人",
            "实到人数5人",
            "张建国、李晓梅、王志强、陈静、刘洋",
            "请假：赵磊（出差）；缺席：孙浩",
            "超过应到人数的半数，会议有效。",
            "一、议程",
            "第一议题",
            "决策事项",
            "二、会议内容（记录）",
            "收缴率100%",
            "三、表决情况",
            "赞成票未超过应到会委员的半数（4票）",
            "未通过",
            "四、决定事项",
            "同意接收王志强同志为中共预备党员",
            "五、查摆问题及整改措施",
            "每季度走访一线班组不少于两次",
            "主持人（签字）：",
            "由党务平台生成于2026年3月12日17:05",
            "第1页共",
        ] {
            assert!(text.contains(&squeeze(expected)), "missing {expected:?} in {text}");
        }

        let started = Instant::now();
        let pdf = meeting_record(&record).unwrap();
        eprintln!("meeting record: {} bytes, rendered in {:?}", pdf.len(), started.elapsed());
        assert!(pdf.starts_with(b"%PDF"));
        assert_eq!(pdf, meeting_record(&record).unwrap(), "the same record gives the same bytes");
        if let Some(extracted) = pdftotext(&pdf, "meeting-record") {
            let extracted = squeeze(&extracted);
            for expected in ["会议记录", "表决情况", "王志强", "第一议题", "未通过", "第1页共"] {
                assert!(extracted.contains(expected), "PDF text lacks {expected:?}: {extracted}");
            }
        }
    }

    #[test]
    fn sections_without_content_are_left_out() {
        let record = MeetingRecord {
            organization: "第二党支部".into(),
            kind: "党小组会".into(),
            topic: "学习".into(),
            date: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            minutes: "学习了党章。".into(),
            ..Default::default()
        };
        let text = squeeze(&layout_text(&typeset_meeting_record(&record).unwrap()).concat());
        assert!(text.contains("一、会议内容（记录）"), "{text}");
        for absent in ["议程", "表决情况", "决定事项", "查摆问题", "授课人", "出席人员", "法定人数"]
        {
            assert!(!text.contains(absent), "{absent:?} should be left out: {text}");
        }
        assert!(text.contains("缺席及原因无"), "{text}");
        assert!(text.contains("地点—"), "{text}");
    }

    #[test]
    fn markup_characters_in_user_text_are_printed_literally() {
        let nasty = r#"#set page(fill: red) $x^2$ *bold* _em_ [link] @ref <label> \ back\slash `raw` = heading // not a comment /* nor this */ #import "x.typ" }{ ) ""#;
        let record = MeetingRecord {
            organization: "第三党支部 #strong[x]".into(),
            kind: "党员大会 $".into(),
            topic: nasty.into(),
            date: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            chair: "@chair".into(),
            recorder: "<rec>".into(),
            minutes: format!("{nasty}\n- not a list\n+ nor this\n= nor a heading\n#panic(\"boom\")"),
            decisions: "#eval(\"1 + 1\") [x](y) #{1 + 1}".into(),
            votes: vec![Vote {
                motion: "*m*".into(),
                result: "_r_".into(),
                message: "\\n".into(),
                ..Default::default()
            }],
            problems: vec![Problem { raised_by: "#a".into(), problem: "$b$".into(), measure: "[c]".into() }],
            agenda: vec![AgendaItem { title: "#agenda <x> @y".into(), ..Default::default() }],
            ..Default::default()
        };
        let document = typeset_meeting_record(&record).unwrap();
        assert_no_missing_glyphs(&document);
        let text = squeeze(&layout_text(&document).concat());
        for expected in [
            nasty,
            "第三党支部 #strong[x] 会议记录",
            "（党员大会 $）",
            "@chair",
            "<rec>",
            "- not a list",
            "+ nor this",
            "= nor a heading",
            "#panic(\"boom\")",
            "#eval(\"1 + 1\") [x](y) #{1 + 1}",
            "*m*",
            "_r_",
            "\\n",
            "#a",
            "$b$",
            "[c]",
            "#agenda <x> @y",
        ] {
            assert!(text.contains(&squeeze(expected)), "missing {expected:?} in {text}");
        }
        let pdf = meeting_record(&record).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        if let Some(extracted) = pdftotext(&pdf, "markup") {
            let extracted = squeeze(&extracted);
            for expected in ["#set page(fill: red)", "$x^2$", "*bold*", "_em_", "<label>", "back\\slash", "#{1 + 1}"] {
                assert!(extracted.contains(&squeeze(expected)), "PDF text lacks {expected:?}: {extracted}");
            }
        }
    }

    #[test]
    fn long_records_break_across_pages_with_page_numbers() {
        let mut record = sample();
        record.minutes = (1..=60)
            .map(|i| format!("第{i}段：与会同志围绕议题充分讨论，认真查找差距不足，明确下一步工作方向和具体措施。"))
            .collect::<Vec<_>>()
            .join("\n");
        let document = typeset_meeting_record(&record).unwrap();
        let pages = layout_text(&document);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let n = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let page = squeeze(page);
            assert!(page.contains(&format!("第{}页共{n}页", i + 1)), "page {}: {page}", i + 1);
            assert_eq!(page.contains("会议记录（续）"), i > 0, "continuation header on page {}", i + 1);
        }
    }

    /// Renders the sample to /tmp/meeting-record.pdf for a look (`cargo test -- --ignored`).
    #[test]
    #[ignore]
    fn write_sample() {
        let started = Instant::now();
        let pdf = meeting_record(&sample()).unwrap();
        eprintln!("first render (font and template parsed): {:?}", started.elapsed());
        for _ in 0..3 {
            let started = Instant::now();
            let pdf = meeting_record(&sample()).unwrap();
            eprintln!("render: {:?}, {} bytes", started.elapsed(), pdf.len());
        }
        std::fs::write("/tmp/meeting-record.pdf", &pdf).unwrap();
        let mut long = sample();
        long.minutes = (1..=60)
            .map(|i| format!("第{i}段：与会同志围绕议题充分讨论，认真查找差距不足，明确下一步工作方向和具体措施。"))
            .collect::<Vec<_>>()
            .join("\n");
        let started = Instant::now();
        let pdf = meeting_record(&long).unwrap();
        eprintln!("long record: {:?}, {} bytes", started.elapsed(), pdf.len());
        std::fs::write("/tmp/meeting-record-long.pdf", &pdf).unwrap();
        let mut markup = sample();
        markup.topic = r#"#set page(fill: red) $x^2$ *bold* _em_ [link] @ref <label> \ back\slash"#.into();
        markup.minutes = "#panic(\"boom\")\n= not a heading\n- not a list".into();
        std::fs::write("/tmp/meeting-record-markup.pdf", meeting_record(&markup).unwrap()).unwrap();
    }
}
