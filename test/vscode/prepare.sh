#!/usr/bin/env bash
# What both VS Code suites need before they start: the cached code-server/chromium toolchain
# (a check only, once installed) and the built service and extension in dist/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/setup/install-vscode.sh
node scripts/build.mjs
