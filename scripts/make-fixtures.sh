#!/bin/sh
# Regenerates netshow's test media in test/fixtures/media/ with FFmpeg from synthetic sources
# (testsrc picture, sine tone), then writes SHA256SUMS there and copies (a) to samples/.
#   sh scripts/make-fixtures.sh        needs ffmpeg, ffprobe, node and the dev dependencies (tsx)
#
# The output is bit-exact for one FFmpeg build: -fflags/-flags +bitexact and -map_metadata -1 keep the
# encoder version and dates out of the files. With Debian 12's ffmpeg 7:5.1.9-0+deb12u1 the five files
# were checked byte for byte (sha256) against the media of the netshow interop lab, 2026-11-24:
#   285b62bb...f1015e a, 5d7090f3...329a0e b, d45b437d...414927 c-mbr, 5af21985...6077bf d,
#   aeb84a1f...8e230 e (full hashes in test/fixtures/media/SHA256SUMS). Another FFmpeg version can
#   give different bytes with the same layout; the tests compare decoded frames, never these hashes.
# shellcheck disable=SC2086  # $BX and $FF are word lists
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/test/fixtures/media
mkdir -p "$OUT" "$ROOT/samples"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/netshow-fixtures.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
cd "$WORK"

BX="-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1"
FF="ffmpeg -nostdin -hide_banner -loglevel error -y"
PICTURE="testsrc=size=320x240:rate=25"
TONE="sine=frequency=1000:sample_rate=44100"

step() { printf '%s\n' "make-fixtures: $*"; }

step "(a) a-wmv2-wmav2-10s.wmv: WMV2 320x240 25 fps 300k, key frame every 25 frames + WMA2 64k stereo"
$FF -f lavfi -i "$PICTURE:duration=10" -f lavfi -i "$TONE:duration=10" -ac 2 \
  -c:v wmv2 -b:v 300k -g 25 -c:a wmav2 -b:a 64k $BX -metadata title="netshow test A" a-wmv2-wmav2-10s.wmv

step "(b) b-wmav2-10s.wma: audio only, WMA2 64k stereo 440 Hz (FFmpeg writes no index without video)"
$FF -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=10" -ac 2 \
  -c:a wmav2 -b:a 64k $BX -metadata title="netshow test B" b-wmav2-10s.wma

step "(c) c-mbr-10s.wmv: stream 1 WMV2 320x240, stream 2 WMV2 160x120, stream 3 WMA2, then the MBR objects"
# The asf muxer numbers streams in output order from 1. FFmpeg writes no exclusion objects, so this
# intermediate file would make every client play both videos; make-mbr.ts adds them.
$FF -f lavfi -i "$PICTURE:duration=10" -f lavfi -i "$TONE:duration=10" \
  -filter_complex "[0:v]split=2[v0][v1];[v1]scale=160x120[v1s]" -map "[v0]" -map "[v1s]" -map 1:a -ac 2 \
  -c:v wmv2 -b:v:0 400k -b:v:1 80k -g 25 -c:a wmav2 -b:a 64k $BX -metadata title="netshow test C MBR" \
  c-mbr-raw-10s.wmv
# Average bit rate of one stream over the 10 s: the sum of its packet sizes * 8 / 10.
bitrate() {
  ffprobe -v error -select_streams "$1" -show_entries packet=size -of csv=p=0 c-mbr-raw-10s.wmv |
    awk '{ total += $1 } END { printf "%d", total * 8 / 10 }'
}
RATES="1:$(bitrate 0),2:$(bitrate 1),3:$(bitrate 2)"
(cd "$ROOT" && npx --no-install tsx scripts/make-mbr.ts "$WORK/c-mbr-raw-10s.wmv" "$WORK/c-mbr-10s.wmv" 1,2 "$RATES")

step "(d) d-indexed-30s.wmv: 30 s, 200k video, Simple Index every 1 s on a key frame (seek tests)"
$FF -f lavfi -i "$PICTURE:duration=30" -f lavfi -i "$TONE:duration=30" -ac 2 \
  -c:v wmv2 -b:v 200k -g 25 -c:a wmav2 -b:a 64k $BX -metadata title="netshow test D indexed" d-indexed-30s.wmv

step "(e) e-live-10s.asf: (a)'s content muxed to a pipe: broadcast flag, sizes and counts 0"
$FF -f lavfi -i "$PICTURE:duration=10" -f lavfi -i "$TONE:duration=10" -ac 2 \
  -c:v wmv2 -b:v 300k -g 25 -c:a wmav2 -b:a 64k $BX -metadata title="netshow test E live" \
  -f asf pipe:1 > e-live-10s.asf

FILES="a-wmv2-wmav2-10s.wmv b-wmav2-10s.wma c-mbr-10s.wmv d-indexed-30s.wmv e-live-10s.asf"
for f in $FILES; do cp "$f" "$OUT/$f"; done
cp a-wmv2-wmav2-10s.wmv "$ROOT/samples/netshow-sample.wmv"
cd "$OUT"
sha256sum $FILES > SHA256SUMS
cat SHA256SUMS
step "wrote $OUT and samples/netshow-sample.wmv"
