#!/usr/bin/env bash
# Builds Chorus's Linux packages into dist/:
#   dist/chorus_VERSION_ARCH.deb        (Debian's dpkg-deb; apt-get install ./dist/…deb)
#   dist/chorus-VERSION-linux-ARCH.tar.gz (relocatable: bin/ lib/ share/, install.sh, uninstall.sh)
# Both hold the same files. Usage: scripts/package.sh [OUTDIR]
# Needs: go, dpkg-deb, dpkg-query, ImageMagick (convert) to size the icons.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
out=${1:-dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)

app_id=$(sed -n 's/^ID *= *"\(.*\)"/\1/p' FyneApp.toml)
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
arch=$(dpkg --print-architecture)
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
for tool in dpkg-deb convert; do
  command -v "$tool" >/dev/null || { echo "package.sh needs $tool (scripts/deps.sh test installs it)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root          # the tree under /usr (and under the tarball's top)
mkdir -p "$root/bin" "$root/lib/chorus" "$root/share/applications" "$root/share/metainfo" \
  "$root/share/man/man1" "$root/share/doc/chorus" \
  "$root/share/bash-completion/completions" "$root/share/zsh/vendor-completions" \
  "$root/share/fish/vendor_completions.d"

# The binary looks for bundled libraries next to itself: /usr/lib/chorus for
# the .deb, PREFIX/lib/chorus for the tarball.
echo "Building chorus $version ($commit)" >&2
go build -tags migrated_fynedo -trimpath \
  -ldflags "-s -w -X chorus/cli.Commit=$commit -r \$ORIGIN/../lib/chorus" -o "$root/bin/chorus" .
bin=$root/bin/chorus

# Shared libraries Go modules bring along (none today) are bundled; every
# other library the binary links becomes a Debian dependency.
deps=()
while read -r lib path; do
  case $path in
    not) echo "chorus links $lib, which is not installed" >&2; exit 1 ;;
    "$(go env GOMODCACHE)"/*|"$PWD"/*) cp -L "$path" "$root/lib/chorus/"; continue ;;
  esac
  pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null) || {
    echo "no Debian package owns $path" >&2; exit 1; }
  pkg=${pkg%%:*}
  deps+=("$pkg")
done < <(ldd "$bin" | awk '/=>/ {print $1, $3, $4}' | sed 's/ (0x.*//; s/ not found/ not/')
# Run-time needs the linker does not see: espeak-ng (the local voice),
# ALSA (loaded by oto) with a route to PulseAudio or PipeWire, a Secret
# Service for API keys, and a clipboard tool for "speak selection".
extra="espeak-ng, libasound2 | libasound2t64, libasound2-plugins | pipewire-alsa, libpulse0 | pipewire-pulse,
 gnome-keyring | keepassxc | kwalletmanager | org.freedesktop.secrets, xclip | xsel | wl-clipboard"
linked=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')
depends="$linked, $(echo "$extra" | tr -d '\n')"

# Desktop files, icons at the usual sizes, man page and completions.
cp "packaging/$app_id.desktop" "$root/share/applications/"
cp "packaging/$app_id.metainfo.xml" "$root/share/metainfo/"
for size in 16 22 24 32 48 64 128 256; do
  dir=$root/share/icons/hicolor/${size}x${size}/apps
  mkdir -p "$dir"
  convert assets/icon.png -filter Lanczos -resize "${size}x${size}" -strip "PNG32:$dir/$app_id.png"
done
"$bin" man | gzip -9n >"$root/share/man/man1/chorus.1.gz"
"$bin" completion bash >"$root/share/bash-completion/completions/chorus"
"$bin" completion zsh >"$root/share/zsh/vendor-completions/_chorus"
"$bin" completion fish >"$root/share/fish/vendor_completions.d/chorus.fish"
cp LICENSE "$root/share/doc/chorus/"
[ -f THIRD_PARTY.md ] && cp THIRD_PARTY.md "$root/share/doc/chorus/"
rmdir "$root/lib/chorus" "$root/lib" 2>/dev/null || true

# The .deb: the tree under /usr, with a control file.
deb=$work/deb
mkdir -p "$deb/DEBIAN" "$deb/usr"
cp -a "$root/." "$deb/usr/"
size=$(du -sk "$deb/usr" | cut -f1)
cat >"$deb/DEBIAN/control" <<CONTROL
Package: chorus
Version: $version
Architecture: $arch
Maintainer: The Chorus developers <chorus@users.noreply.github.com>
Installed-Size: $size
Depends: $depends
Section: sound
Priority: optional
Homepage: https://github.com/chorus/studio
Description: text to speech studio: type and listen, compare voices, export audio
 Chorus reads text aloud with a local voice (espeak-ng) or cloud providers,
 compares voices side by side, and exports WAV, MP3, FLAC and Ogg files.
 It can speak the selection or the clipboard of any application.
CONTROL
find "$deb" -type d -exec chmod 0755 {} +
debfile=$out/chorus_${version}_${arch}.deb
dpkg-deb --root-owner-group --build "$deb" "$debfile" >/dev/null
echo "$debfile"

# The tarball: the same tree at its top, and scripts that copy it into a
# prefix (default ~/.local) and remove exactly what they copied.
name=chorus-$version-linux-$arch
tar_root=$work/$name
cp -a "$root" "$tar_root"
cp packaging/install.sh packaging/uninstall.sh "$tar_root/"
chmod 0755 "$tar_root/install.sh" "$tar_root/uninstall.sh"
tarball=$out/$name.tar.gz
tar -C "$work" --owner=0 --group=0 -czf "$tarball" "$name"
echo "$tarball"
