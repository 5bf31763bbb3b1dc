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
