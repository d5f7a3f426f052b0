#!/usr/bin/env bash
# Installs what Chorus needs to build, run and test on Debian/Ubuntu, and only
# what is missing. Usage: scripts/deps.sh [run|test]
set -euo pipefail

mode=${1:-test}
build_pkgs=(gcc pkg-config libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev)
run_pkgs=(espeak-ng pulseaudio-utils poppler-utils xclip)
test_pkgs=(espeak-ng xvfb pulseaudio pulseaudio-utils gnome-keyring dbus dbus-x11 libsecret-tools
  imagemagick xdotool ffmpeg sox x11-utils poppler-utils
  desktop-file-utils appstream groff-base man-db xclip xsel)

pkgs=("${build_pkgs[@]}" "${run_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Chorus needs these packages: ${missing[*]}. Install them with your package manager." >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null; then
  if [ -x /usr/local/go/bin/go ]; then
    echo "Go is at /usr/local/go/bin but not on PATH: export PATH=\$PATH:/usr/local/go/bin" >&2
  else
    echo "Chorus needs Go 1.26 or newer: https://go.dev/dl/" >&2
  fi
  exit 1
fi
