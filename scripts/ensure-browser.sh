#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/frontend/), which
# drive it through playwright's executable_path (playwright's own browser download needs
# the internet). Installs it with apt when missing and root; fails loudly otherwise: the
# suite never skips the browser tests.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
say() { echo "browser: $*" >&2; }
die() { echo "browser: ERROR: $*" >&2; exit 1; }

if [[ ! -x "$CHROMIUM" ]]; then
  [[ "$CHROMIUM" == /usr/bin/chromium ]] || die "$CHROMIUM is not an executable."
  [[ $(id -u) == 0 ]] || die "Chromium is not installed and this is not root: run 'sudo apt-get install chromium'."
  command -v apt-get >/dev/null || die "Chromium is not installed and apt-get is not available."
  say "installing chromium with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [[ -x "$CHROMIUM" ]] || die "apt-get installed chromium, but $CHROMIUM is still missing."
fi
say "$("$CHROMIUM" --version 2>/dev/null | head -n1)"

# axe-core, for the accessibility scan of the browser tests (tests/frontend/accessibility.py),
# from the npm registry into var/axe/ (ignored by git). Pinned: a new rule set is a choice.
AXE_VERSION=4.10.3
AXE_DIR=${AXE_DIR:-var/axe}
AXE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"
if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$AXE_DIR/node_modules/axe-core/package.json"; then
  if ! command -v npm >/dev/null; then
    [[ $(id -u) == 0 ]] || die "npm is missing and this is not root: run 'sudo apt-get install npm'."
    say "installing npm with apt"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  say "installing axe-core $AXE_VERSION with npm"
  mkdir -p "$AXE_DIR"
  npm install --prefix "$AXE_DIR" --no-save --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION" >/dev/null
fi
[[ -f "$AXE_JS" ]] || die "axe-core is missing: $AXE_JS"
say "axe-core $AXE_VERSION"
