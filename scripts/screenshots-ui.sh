#!/usr/bin/env bash
# Takes the window screenshots under docs/: 800×600 and 1280×800, light and
# dark, in the private headless desktop.
# Usage: scripts/screenshots-ui.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
go build -tags migrated_fynedo -o bin/chorus .
mkdir -p docs
for theme in light dark; do
  for size in 800x600 1280x800; do
    out=$(realpath -m "docs/window-$size-$theme.png")
    OUT="$out" SIZE="$size" FYNE_THEME="$theme" scripts/desktop.sh bash -c '
      # The first-launch offer of a natural voice has been answered: the
      # screenshot shows the window itself.
      prefs="$XDG_CONFIG_HOME/fyne/io.github.chorus.studio"
      mkdir -p "$prefs" && echo "{\"voices.offered\":true}" > "$prefs/preferences.json"
      bin/chorus >/dev/null 2>&1 &
      app=$!
      for _ in $(seq 100); do id=$(xdotool search --name "^Chorus$" 2>/dev/null | head -1); [ -n "$id" ] && break; sleep 0.1; done
      sleep 1.5
      xdotool windowsize "$id" ${SIZE%x*} ${SIZE#*x}
      sleep 1
      xdotool mousemove --window "$id" $(( ${SIZE%x*} * 2 / 3 )) 200 click 1
      xdotool key ctrl+a
      xdotool type --delay 2 "Chorus reads what you type, live, in any voice. Compare voices side by side, then export the audio."
      xdotool key ctrl+Return
      sleep 3
      import -window "$id" "$OUT"
      kill $app
    ' 2>/dev/null
    echo "saved $out"
  done
done
