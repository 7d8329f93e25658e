#!/usr/bin/env bash
# Builds the web app and the release binary, then serves the demo enterprise at http://127.0.0.1:8080.
# The demo is loaded into ./data/dangwu.db on first start; the demo accounts and their password are
# printed (set DANGWU_DEMO_PASSWORD to choose the password). Extra arguments go to `dangwu serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dangwu-target}"
export npm_config_cache="${npm_config_cache:-$HOME/.cache/dangwu-npm}"

# The demo is served over plain HTTP on loopback: no Secure cookie unless asked for.
export DANGWU_SECURE_COOKIES="${DANGWU_SECURE_COOKIES:-false}"

echo "==> 构建网页界面 (web/)"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)
echo "==> 编译 dangwu (release)"
cargo build --release -p dangwu
exec "$CARGO_TARGET_DIR/release/dangwu" serve --demo "$@"
