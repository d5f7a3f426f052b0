#!/usr/bin/env bash
# Runs a command inside a private, headless desktop: an Xvfb display, a
# PulseAudio server whose default sink is a null sink named "chorus_cap"
# (tests record its monitor), and a D-Bus session with an unlocked
# gnome-keyring Secret Service. Everything it starts is stopped on exit, and
# the user's own home, sound server and keychain are never touched.
# Usage: scripts/desktop.sh COMMAND [ARGS...]
set -euo pipefail

# Keep the Go caches where they are, not in the throwaway home set below.
export GOCACHE=${GOCACHE:-$(go env GOCACHE)} GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOPATH=${GOPATH:-$(go env GOPATH)}

work=$(mktemp -d /tmp/chorus-desktop.XXXXXX)
chmod 700 "$work"
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/home/.config" \
  XDG_DATA_HOME="$work/home/.local/share" XDG_CACHE_HOME="$work/home/.cache"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
export LANG=C.UTF-8 LIBGL_ALWAYS_SOFTWARE=1

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pulseaudio --kill 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Display.
for n in $(seq 90 140); do
  [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { disp=":$n"; break; }
done
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=$disp

# Sound: a private PulseAudio with a null sink kept running by a silent stream.
pulseaudio -D -n --exit-idle-time=-1 --log-target=file:"$work/pulse.log" \
  --load="module-null-sink sink_name=chorus_cap rate=48000" \
  --load="module-native-protocol-unix socket=$XDG_RUNTIME_DIR/pulse/native" 2>/dev/null
export PULSE_SERVER="unix:$XDG_RUNTIME_DIR/pulse/native"
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl set-default-sink chorus_cap
pacat --playback --format=s16le --rate=48000 --channels=1 --latency-msec=20 /dev/zero &
pids+=($!)
export CHORUS_CAPTURE_SOURCE=chorus_cap.monitor

for _ in $(seq 50); do xdpyinfo -display "$disp" >/dev/null 2>&1 && break; sleep 0.1; done

# Keychain: a D-Bus session with gnome-keyring unlocked by a throwaway password.
exec_in_session=$(cat <<'INNER'
echo -n chorus-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$@"
INNER
)
set +e
dbus-run-session -- bash -c "$exec_in_session" bash "$@"
rc=$?
exit $rc
