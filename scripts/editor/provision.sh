#!/usr/bin/env bash
# Provisions what the real-editor tests need, on a machine with no route to Microsoft's servers:
# code-server (VS Code's web build, from the npm registry) and Debian's Chromium, cached under
# .cache/editor/ (git-ignored). Idempotent: a marker file makes a second run instant.
set -euo pipefail
cd "$(dirname "$0")/../.."
CODE_SERVER_VERSION=4.100.3   # VS Code 1.100.3; later versions want Node 22+
ROOT="$PWD/.cache/editor"
CS="$ROOT/code-server"
MARKER="$ROOT/.provisioned-$CODE_SERVER_VERSION"
log() { printf '[provision] %s\n' "$*" >&2; }

if ! command -v chromium >/dev/null 2>&1 || ! command -v rg >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  log "installing Debian packages: chromium ripgrep libkrb5-dev"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium ripgrep libkrb5-dev >/dev/null
fi

if [ -f "$MARKER" ]; then
  log "code-server $CODE_SERVER_VERSION already provisioned in $CS"
  exit 0
fi

log "installing code-server $CODE_SERVER_VERSION (about 1.5 minutes)"
rm -rf "$CS"
mkdir -p "$CS"
cd "$CS"
echo '{ "name": "headroom-editor-cache", "private": true }' > package.json
# Its own postinstall fails here (it downloads ripgrep and wants unsafe-perm): do its steps by hand.
npm install --no-audit --no-fund --ignore-scripts "code-server@$CODE_SERVER_VERSION" >/dev/null
VS="$CS/node_modules/code-server/lib/vscode"
(cd "$VS" && npm install --no-audit --no-fund --omit=dev --ignore-scripts >/dev/null)
(cd "$VS" && npm_config_yes=true npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid >/dev/null)
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VS/node_modules.asar"
(cd "$VS/extensions" && npm install --no-audit --no-fund --omit=dev --ignore-scripts >/dev/null)
npm_config_yes=true npm rebuild argon2 >/dev/null
touch "$MARKER"
log "done: $(du -sh "$CS" | cut -f1) in $CS"
