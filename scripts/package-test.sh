#!/usr/bin/env bash
# Builds the packages, installs the .deb with apt-get (root only), runs the
# installed chorus from PATH, validates the desktop entry and metainfo,
# installs and uninstalls the tarball into a temporary HOME, and removes the
# package again. Usage: scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "package-test: skipped: installing the .deb needs root (run it as root or in CI)" >&2
  exit 0
fi
if dpkg-query -W -f='${Status}' chorus 2>/dev/null | grep -q "install ok installed"; then
  echo "package-test: a chorus package is already installed; remove it first (apt-get remove chorus)" >&2
  exit 1
fi
work=$(mktemp -d)
cleanup() {
  dpkg-query -W chorus >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq chorus >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }

mapfile -t built < <(scripts/package.sh "$work/dist")
deb=${built[0]} tarball=${built[1]}
[ -f "$deb" ] && [ -f "$tarball" ] || fail "package.sh did not print the .deb and the tarball"

echo "package-test: apt-get install $deb" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
[ "$(command -v chorus)" = /usr/bin/chorus ] || fail "chorus is not on PATH at /usr/bin/chorus"

want=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
got=$(env -u HOME HOME="$work/home" chorus --version)
echo "$got" | grep -qx "chorus $want" || fail "chorus --version printed: $got"
echo "$got" | grep -q '^commit: [0-9a-f]\{12\}' || fail "chorus --version names no commit: $got"

mkdir -p "$work/home"
(cd "$work" && HOME=$work/home XDG_CACHE_HOME=$work/home/.cache XDG_CONFIG_HOME=$work/home/.config \
  chorus speak "The installed package speaks." --out x.wav) || fail "chorus speak --out failed"
seconds=$(soxi -D "$work/x.wav") || fail "x.wav is not a WAV file sox can read"
awk -v s="$seconds" 'BEGIN { exit !(s > 0.5 && s < 10) }' || fail "x.wav lasts $seconds s, want a spoken sentence"
echo "package-test: the installed chorus spoke $seconds s of audio" >&2

desktop-file-validate /usr/share/applications/io.github.chorus.studio.desktop || fail "desktop entry"
appstreamcli validate --no-net /usr/share/metainfo/io.github.chorus.studio.metainfo.xml || fail "metainfo"
[ -f /usr/share/icons/hicolor/48x48/apps/io.github.chorus.studio.png ] || fail "no 48x48 icon"
[ -f /usr/share/doc/chorus/LICENSE ] || fail "no LICENSE in /usr/share/doc/chorus"
man -l /usr/share/man/man1/chorus.1.gz >/dev/null 2>&1 || fail "the man page does not render"
bash -c 'source /usr/share/bash-completion/completions/chorus && complete -p chorus' >/dev/null || fail "bash completion"

DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq chorus >/dev/null
[ ! -e /usr/bin/chorus ] || fail "apt-get remove left /usr/bin/chorus"

# The tarball, without root, into a temporary HOME.
home=$work/tarhome
mkdir -p "$home"
tar -C "$work" -xzf "$tarball"
top=$work/$(basename "$tarball" .tar.gz)
HOME=$home "$top/install.sh" >/dev/null
[ -x "$home/.local/bin/chorus" ] || fail "install.sh did not install ~/.local/bin/chorus"
HOME=$home "$home/.local/bin/chorus" --version | grep -qx "chorus $want" || fail "the tarball's chorus does not run"
[ -f "$home/.local/share/applications/io.github.chorus.studio.desktop" ] || fail "no desktop entry in ~/.local"
HOME=$home "$top/uninstall.sh" >/dev/null
left=$(find "$home" -type f ! -name mimeinfo.cache ! -name icon-theme.cache | grep -v '/\.cache/\|/\.config/' || true)
[ -z "$left" ] || fail "uninstall.sh left: $left"
echo "package-test: ok (.deb and tarball installed, run and removed)" >&2
