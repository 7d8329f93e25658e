//! The web app is embedded from `web/dist`, which `npm run build` writes (`scripts/demo.sh` and
//! `scripts/test.sh` run it first). So that `cargo build` and `cargo test` also work in a checkout where
//! it was never built, a missing `web/dist` gets a one-page placeholder saying how to build the app.

use std::path::Path;

const PLACEHOLDER: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>党务</title>\
<body><p>前端尚未构建：请在 web 目录运行 <code>npm ci &amp;&amp; npm run build</code>，再重新编译服务端。</p>\
<p>The web app was not built: run <code>npm ci &amp;&amp; npm run build</code> in web/, then rebuild.</p></body></html>\n";

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
    // Re-embed when the app is rebuilt (new asset files change the directory).
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.exists() {
        std::fs::create_dir_all(&dist).expect("create web/dist");
        std::fs::write(dist.join("index.html"), PLACEHOLDER).expect("write the placeholder page");
    }
}
