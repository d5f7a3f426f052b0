#!/bin/sh
# Removes what install.sh installed. Usage: ./uninstall.sh [PREFIX]  (default: ~/.local)
set -eu
prefix=${1:-${PREFIX:-$HOME/.local}}
manifest=$prefix/share/chorus/installed.txt
if [ ! -f "$manifest" ]; then
  echo "Chorus is not installed in $prefix (no $manifest)." >&2
  exit 1
fi
while read -r f; do
  rm -f "$prefix/$f"
  # Remove the directories the install left empty, never others' files.
  d=$(dirname "$f")
  while [ "$d" != "." ] && rmdir "$prefix/$d" 2>/dev/null; do d=$(dirname "$d"); done
done <"$manifest"
rm -f "$manifest"
rmdir "$prefix/share/chorus" 2>/dev/null || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
echo "Chorus is removed from $prefix."
