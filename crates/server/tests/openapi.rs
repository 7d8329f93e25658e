//! The OpenAPI document served at /api/v1/openapi.json describes the API as it is served: parameters in
//! the right place, every served route present, every route the web app calls present; and the copy
//! checked in for the web app (web/src/api/openapi.json, from which its TypeScript types are generated)
//! is the document as served.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dangwu_testkit::{StatusCode, TestApp, on_both_engines};
use serde_json::Value;

on_both_engines!(
    path_parameters_are_in_their_paths,
    document_lists_every_served_route,
    fuzz_findings_answer_400,
    fuzz_findings_are_documented_statuses,
    code_lists_are_enums_of_their_codes
);

/// Where the web app keeps its copy of the document.
const CHECKED_IN: &str = "../../web/src/api/openapi.json";

/// The checked-in document is the one the server builds, so the web app's generated types describe the
/// API as it is. `DANGWU_WRITE_OPENAPI=1` rewrites the file instead of comparing.
#[test]
fn checked_in_document_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CHECKED_IN);
    // Object keys sorted: the same text whatever order the code declares things in, and whether or not
    // some other crate in the build turns on serde_json's `preserve_order`.
    let live = sorted(serde_json::to_value(dangwu_server::openapi()).expect("document as JSON"));
    let text = serde_json::to_string_pretty(&live).expect("pretty JSON") + "\n";
    if std::env::var_os("DANGWU_WRITE_OPENAPI").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored == text {
        return;
    }
    let first_difference = stored
        .lines()
        .zip(text.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(n, (a, b))| format!("first difference at line {}:\n  checked in: {a}\n  served:     {b}", n + 1))
        .unwrap_or_else(|| {
            format!("checked in: {} lines, served: {} lines", stored.lines().count(), text.lines().count())
        });
    panic!(
        "web/src/api/openapi.json is not the document the server builds ({first_difference}).\n\
         Regenerate it and the web app's types, then fix what no longer type-checks:\n  \
         DANGWU_WRITE_OPENAPI=1 cargo test -p dangwu-server --test openapi checked_in_document_is_current\n  \
         cd web && npm run gen:api && npm run lint"
    );
}

/// `value` with the keys of every object in sorted order (arrays keep theirs: it is meaningful).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// (method, path) of every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((method.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

async fn path_parameters_are_in_their_paths(app: TestApp) {
    let doc = app.anonymous().get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let mut problems = Vec::new();
    for (method, path, op) in operations(&doc.body) {
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let declared: BTreeSet<String> =
            params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().expect("name").to_owned()).collect();
        for name in &declared {
            if !path.contains(&format!("{{{name}}}")) {
                problems.push(format!("{method} {path}: `{name}` is declared in: path but is not in the path"));
            }
        }
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_start_matches('{').trim_end_matches('}');
            if !declared.contains(name) {
                problems.push(format!("{method} {path}: {{{name}}} has no path parameter"));
            }
        }
        for p in &params {
            if p["in"] == "path" && p["required"] != true {
                problems.push(format!("{method} {path}: path parameter {} not required", p["name"]));
            }
        }
    }
    assert!(problems.is_empty(), "OpenAPI parameter problems:\n{}", problems.join("\n"));
}

/// A path of the document with every `{param}` filled by an id that names nothing.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "00000000-0000-0000-0000-000000000000" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

async fn document_lists_every_served_route(app: TestApp) {
    let anon = app.anonymous();
    let doc = anon.get("/api/v1/openapi.json").await.body;
    let ops = operations(&doc);
    assert!(ops.len() >= 50, "only {} operations in the document", ops.len());
    let mut problems = Vec::new();
    // What the server routes at each documented path is exactly what the document says: a documented
    // method reaches its handler (401 without a session, never 404/405), any other method is 405.
    let paths: BTreeSet<&str> = ops.iter().map(|(_, p, _)| p.as_str()).collect();
    for path in paths {
        let url = format!("{}{}", app.base, concrete(path));
        for method in METHODS {
            let documented = ops.iter().any(|(m, p, _)| m == method && p == path);
            let res = anon
                .client
                .request(method.to_uppercase().parse().expect("method"), &url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("request");
            let status = res.status();
            if documented && matches!(status, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED) {
                problems.push(format!("{method} {path} is documented but answers {status}"));
            }
            if !documented && status != StatusCode::METHOD_NOT_ALLOWED {
                problems.push(format!("{method} {path} is served ({status}) but not in the document"));
            }
        }
    }
    // Routes added outside the OpenAPI router would be served without being documented.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in files(&root.join("src"), &["rs"]) {
        let text = std::fs::read_to_string(&file).expect("source");
        // Unit tests build routers of their own; they are not served.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (at, _) in text.match_indices(".route(\"") {
            let path = text[at + 8..].split('"').next().unwrap_or_default();
            // Probes for load balancers and monitors, outside /api/v1 like the web app's files.
            if !["/healthz", "/readyz"].contains(&path) {
                problems.push(format!("{}: route {path} bypasses the OpenAPI router", file.display()));
            }
        }
    }
    // Every call the web app makes is to a documented operation.
    let web = root.join("../../web/src");
    let documented: Vec<(String, Vec<String>)> = ops
        .iter()
        .map(|(m, p, _)| (m.clone(), p.trim_start_matches("/api/v1/").split('/').map(str::to_owned).collect()))
        .collect();
    let mut calls = 0;
    for file in files(&web, &["ts", "vue"]) {
        if file.to_string_lossy().contains(".test.") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("web source");
        for (method, path) in web_calls(&text) {
            calls += 1;
            let segments: Vec<&str> = path.split('/').collect();
            let found = documented.iter().any(|(m, p)| {
                *m == method
                    && p.len() == segments.len()
                    && p.iter().zip(&segments).all(|(d, w)| d == w || *w == "{}" || d.starts_with('{'))
            });
            if !found {
                problems.push(format!("{}: the web app calls {method} {path}, not in the document", file.display()));
            }
        }
    }
    assert!(calls >= 30, "found only {calls} API calls in the web app: has its client changed?");
    assert!(problems.is_empty(), "routes and document differ:\n{}", problems.join("\n"));
}

fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path, exts));
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)) {
            out.push(path);
        }
    }
    out
}

/// (method, path) of each `http.get|post|put|del(...)` and `downloadFile(...)` call (typed by the
/// document's paths, `/api/v1/members/{id}`) and each untyped `api.get|post|put|del(...)` and
/// `download(...)` call with a literal path, `${…}` pieces written `{}`.
fn web_calls(text: &str) -> Vec<(String, String)> {
    let mut calls = Vec::new();
    for (name, method) in [
        ("http.get", "get"),
        ("http.post", "post"),
        ("http.put", "put"),
        ("http.del", "delete"),
        ("downloadFile", "get"),
        ("api.get", "get"),
        ("api.post", "post"),
        ("api.put", "put"),
        ("api.del", "delete"),
        ("download", "get"),
    ] {
        for (at, _) in text.match_indices(name) {
            let mut rest = &text[at + name.len()..];
            if rest.starts_with('<') {
                let mut depth = 0;
                let end = rest
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '<' => 1,
                            '>' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .map(|(i, _)| i + 1)
                    .unwrap_or(0);
                rest = &rest[end..];
            }
            let Some(rest) = rest.strip_prefix('(') else { continue };
            let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '`') else { continue };
            let literal = rest[1..].split(quote).next().unwrap_or_default();
            let mut path = String::new();
            let mut pieces = literal.split("${");
            path.push_str(pieces.next().unwrap_or_default());
            for piece in pieces {
                path.push_str("{}");
                path.push_str(piece.split_once('}').map(|(_, after)| after).unwrap_or_default());
            }
            let path = path.split('?').next().unwrap_or_default().trim_start_matches('/');
            let path = path.strip_prefix("api/v1/").unwrap_or(path).to_owned();
            calls.push((method.to_owned(), path));
        }
    }
    calls
}

/// Inputs the schema-driven fuzzer (scripts/fuzz.sh) found to break the server, each now refused.
async fn fuzz_findings_answer_400(app: TestApp) {
    let admin = app.login("admin").await;
    // An ID number of 18 characters that are not all ASCII: the server panicked slicing it at byte 17
    // (found as PUT /members/{id}; creating takes the same check).
    let mut member = dangwu_testkit::member_json(app.fixture.branch_a, "模糊测试", 900);
    member["id_number"] = Value::String("1101051990031500éX".into());
    assert_eq!(member["id_number"].as_str().map(|s| s.chars().count()), Some(18));
    let res = admin.post("/api/v1/members", &member).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert_eq!(res.body["fields"][0]["field"], "id_number");
}

/// Whether the document lists `status` among the answers of `method path`.
fn documents(doc: &Value, method: &str, path: &str, status: StatusCode) -> bool {
    doc["paths"][path][method]["responses"].get(status.as_str()).is_some()
}

// Answers the fuzz run found the document did not list (schemathesis ST103).
async fn fuzz_findings_are_documented_statuses(app: TestApp) {
    let doc = app.anonymous().get("/api/v1/openapi.json").await.body;
    let admin = app.login("admin").await;
    // A year before any version of the meeting rules: no rule applies, 422 rule_not_in_force.
    let branch = app.fixture.branch_a;
    let plan =
        admin.post(&format!("/api/v1/organizations/{branch}/meeting-plan"), &serde_json::json!({"year": 2008})).await;
    assert_eq!(plan.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", plan.body);
    assert_eq!(plan.body["code"], "rule_not_in_force");
    assert!(documents(&doc, "post", "/api/v1/organizations/{id}/meeting-plan", plan.status));
    for (method, path) in [
        ("get", "/api/v1/organizations/{id}/compliance"),
        ("get", "/api/v1/organizations/{id}/compliance-rollup"),
        ("get", "/api/v1/organizations/{id}/compliance-rollup.xlsx"),
        ("post", "/api/v1/meetings"),
        ("put", "/api/v1/meetings/{id}"),
        ("post", "/api/v1/appraisals/{id}/propose"),
        ("post", "/api/v1/appraisals/{id}/decide"),
    ] {
        assert!(documents(&doc, method, path, StatusCode::UNPROCESSABLE_ENTITY), "{method} {path}: 422 undocumented");
    }
    // An appraisal for an organization that does not exist (or is out of reach): 404.
    let nowhere = uuid::Uuid::new_v4();
    let appraisal =
        admin.post("/api/v1/appraisals", &serde_json::json!({"organization_id": nowhere, "year": 2025})).await;
    assert_eq!(appraisal.status, StatusCode::NOT_FOUND, "{}", appraisal.body);
    assert!(documents(&doc, "post", "/api/v1/appraisals", appraisal.status));
}

/// Each code list is a schema giving its codes as an enum, and the fields that carry one refer to it.
async fn code_lists_are_enums_of_their_codes(app: TestApp) {
    let doc = app.anonymous().get("/api/v1/openapi.json").await.body;
    let schemas = &doc["components"]["schemas"];
    for (name, some) in [
        ("OrgKind", "party_group"),
        ("OrgStatus", "dissolved"),
        ("MemberStatus", "probationary"),
        ("Gender", "female"),
        ("Occupation", "retired"),
        ("Grade", "basically_qualified"),
        ("Role", "org_admin"),
        ("SystemRole", "audit_admin"),
    ] {
        let codes = schemas[name]["enum"].as_array().unwrap_or_else(|| panic!("{name}: {}", schemas[name]));
        assert!(codes.iter().any(|c| c == some), "{name}: {codes:?}");
    }
    let refers = |schema: &str, field: &str, to: &str| {
        let text = schemas[schema]["properties"][field].to_string();
        assert!(text.contains(&format!("#/components/schemas/{to}")), "{schema}.{field}: {text}");
    };
    refers("OrgView", "kind", "OrgKind");
    refers("OrgNodeView", "status", "OrgStatus");
    refers("MemberView", "occupation", "Occupation");
    refers("GradeInput", "grade", "Grade");
    refers("GrantRole", "role", "Role");
    refers("Me", "system_role", "SystemRole");
}
