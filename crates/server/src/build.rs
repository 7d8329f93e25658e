// The web app is embedded from web/dist; an unbuilt front end must not stop the API from compiling,
// so an empty folder stands in until `npm run build` fills it.
fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(&dist);
    }
    println!("cargo:rerun-if-changed=../../web/dist");
}
