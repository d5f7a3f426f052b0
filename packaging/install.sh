#!/bin/sh
# Installs Chorus from this unpacked tarball, without root.
# Usage: ./install.sh [PREFIX]   (default: ~/.local)
# uninstall.sh removes exactly the files listed in PREFIX/share/chorus/installed.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-${PREFIX:-$HOME/.local}}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
manifest=$prefix/share/chorus/installed.txt
mkdir -p "$prefix/share/chorus"
: >"$manifest.new"
cd "$here"
for top in bin lib share; do
  [ -d "$top" ] || continue
  find "$top" -type f | while read -r f; do
    mkdir -p "$prefix/$(dirname "$f")"
    cp -p "$f" "$prefix/$f.chorus-new" && mv -f "$prefix/$f.chorus-new" "$prefix/$f"
    echo "$f" >>"$manifest.new"
  done
done
mv -f "$manifest.new" "$manifest"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q "$prefix/share/icons/hicolor" 2>/dev/null || true
echo "Chorus is installed in $prefix."
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Add $prefix/bin to your PATH to run chorus from a terminal." ;;
esac
