#!/bin/sh
# Installs, from Debian 12 (bookworm) packages, the third-party clients that netshow's interop tests
# (test/interop/) drive: FFmpeg, VLC, MPlayer, mpv, GStreamer and libmms (with gcc to build the small
# libmms reader the tests compile on first use). Idempotent: it asks apt only for what is missing and
# runs `apt-get update` only then. Needs root, or a user with sudo.
#   sh scripts/install-peers.sh           install what is missing, then print versions
#   sh scripts/install-peers.sh --check   print versions only; exit 1 when something is missing
set -eu

# One line per client: what the tests need of it (VLC: its MMS access and dummy outputs; GStreamer:
# rtspsrc + rtpasfdepay live in -good/-ugly; tshark: counts the datagrams of mmsu:// on the wire).
# setpriv (util-linux) runs VLC as nobody under root.
PACKAGES="
ffmpeg
vlc-bin vlc-plugin-base
mplayer
mpv
gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav
libmms0 libmms-dev gcc libc6-dev pkg-config
tshark
util-linux coreutils
"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

report() {
  printf '%-10s %s\n' ffmpeg "$(ffmpeg -hide_banner -version 2>/dev/null | sed -n 1p || true)"
  printf '%-10s %s\n' vlc "$(dpkg-query -W -f='${Version}' vlc-bin 2>/dev/null || true)"
  printf '%-10s %s\n' mplayer "$(dpkg-query -W -f='${Version}' mplayer 2>/dev/null || true)"
  printf '%-10s %s\n' mpv "$(mpv --no-config --version 2>/dev/null | sed -n 1p || true)"
  printf '%-10s %s\n' gstreamer "$(gst-launch-1.0 --version 2>/dev/null | sed -n 2p || true)"
  printf '%-10s %s\n' libmms "$(dpkg-query -W -f='${Version}' libmms-dev 2>/dev/null || true)"
  printf '%-10s %s\n' gcc "$(gcc -dumpfullversion 2>/dev/null || true)"
  printf '%-10s %s\n' tshark "$(tshark --version 2>/dev/null | sed -n 1p || true)"
}

missing=""
for p in $PACKAGES; do
  installed "$p" || missing="$missing $p"
done

if [ "${1:-}" = --check ]; then
  report
  if [ -n "$missing" ]; then echo "missing:$missing"; exit 1; fi
  exit 0
fi
if [ $# -gt 0 ]; then echo "usage: $0 [--check]" >&2; exit 2; fi

if [ -z "$missing" ]; then
  echo "install-peers: every package is already installed"
else
  if [ "$(id -u)" -eq 0 ]; then
    AS_ROOT=""
  elif command -v sudo >/dev/null 2>&1; then
    AS_ROOT="sudo"
  else
    echo "install-peers: need root or sudo to install:$missing" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-peers: apt-get not found; install by hand:$missing" >&2
    exit 1
  fi
  echo "install-peers: installing:$missing"
  # tshark asks whether non-root users may capture: answer no, without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $AS_ROOT debconf-set-selections
  # shellcheck disable=SC2086  # $AS_ROOT is empty or one word; $missing is a word list
  $AS_ROOT env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  $AS_ROOT env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing </dev/null
fi
report
