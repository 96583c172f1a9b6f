// MPlayer 1.5 on rtsp://, compared by what it decodes. MPlayer's own RTSP code is Real's: it reads
// `Server: WMServer/…`, prints "unsupported RTSP server" and hands the URL to libavformat, whose RTSP
// demuxer speaks MS-RTSP. -dumpstream then writes 0 bytes (the dump belongs to MPlayer's own stream
// layer), so the dump-based driver (mplayer.ts) has nothing to compare; this one lets MPlayer decode and
// takes checksums of its outputs instead, to the same framemd5 form as the reference's frames:
//
//   video: -vo md5sum, one MD5 per displayed frame of the planar YV12 image, Y then U then V without
//          stride padding, which is exactly FFmpeg's framemd5 of the yuv420p rawvideo frame (measured
//          on every fixture: all equal). MPlayer converts nothing on the way (its log says
//          `VO: [md5sum] 320x240 => 320x240 Planar YV12`); a converted image would match no frame.
//   audio: -ao pcm:fast, every decoded sample in a WAV, as the decoder gave it (WMA: float). FFmpeg
//          then cuts it into frames of the decoder's frame length and writes s16 framemd5, which is how
//          the reference's frames are hashed (the same float to s16 conversion), so a sample lost,
//          added or altered anywhere fails the frame that holds it and shifts every later one.
//
// Nothing is allowed for: every frame must equal the reference's (measured: MPlayer over UDP and TCP
// gives the exact float samples of `ffmpeg -f f32le` on the source file, and every video frame).
// RTP transport: libavformat's default is UDP, then TCP if UDP fails. `udp` forces UDP only through a
// libavformat option (-lavfdopts o=rtsp_transport=udp); `tcp` is MPlayer's -rtsp-stream-over-tcp, which
// MPlayer hands to libavformat as rtsp_transport=tcp (interleaved). MPlayer exits 0 even when it could not
// connect at all, so its exit status proves nothing; the frames do.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Capture, CaptureRequest } from './driver.js';
import { runLimited } from './process.js';

/** MPlayer's quoting of a sub-option value (`%length%value`), so that `:` or `,` in a path is harmless. */
function subValue(value: string): string {
  return `%${Buffer.byteLength(value)}%${value}`;
}

/**
 * Samples per decoded WMA v1/v2 frame at a sample rate: FFmpeg's ff_wma_get_frame_len_bits
 * (libavcodec/wma_common.c). FFmpeg's decoder gives one frame per superframe; an encoder that packs
 * several frames into one superframe would make the reference's frames longer than this, and the
 * comparison would fail (never pass wrongly). Every audio frame of the fixtures is one WMA frame (measured).
 */
function wmaFrameSamples(version: 1 | 2, sampleRate: number): number {
  if (sampleRate <= 16000) return 512;
  if (sampleRate <= 22050 || (sampleRate <= 32000 && version === 1)) return 1024;
  return 2048;
}

/** The sample rate in a WAV file's `fmt ` chunk. */
function wavSampleRate(file: string): number {
  const wav = readFileSync(file);
  let at = 12;
  while (at + 8 <= wav.length) {
    const id = wav.toString('latin1', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 16 <= wav.length) return wav.readUInt32LE(at + 12);
    at += 8 + size + (size & 1);
  }
  throw new Error(`no fmt chunk in ${file}`);
}

/** Frames per second from MPlayer's `VIDEO:  [WMV2]  320x240  24bpp  25.000 fps` line, as `#tb` text. */
function videoTimeBase(log: string): string {
  const fps = /^VIDEO:.*?\s([\d.]+) fps/m.exec(log)?.[1];
  if (!fps || Number(fps) <= 0) return '0/1';
  return `1000/${Math.round(Number(fps) * 1000)}`;
}

/** framemd5 lines for the video: `-vo md5sum` writes `<md5> frame00000000` per frame. */
function videoLines(md5File: string, log: string): string[] {
  if (!existsSync(md5File)) return [];
  const size = /VO: \[md5sum\] \d+x\d+ => (\d+)x(\d+) Planar YV12/.exec(log);
  const bytes = size ? (Number(size[1]) * Number(size[2]) * 3) / 2 : 0;
  const lines = [`#tb 0: ${videoTimeBase(log)}`, '#media_type 0: video'];
  for (const line of readFileSync(md5File, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{32}) frame(\d+)$/.exec(line.trim());
    if (m) lines.push(`0, ${Number(m[2])}, ${Number(m[2])}, 1, ${bytes}, ${m[1]}`);
  }
  return lines;
}

/** framemd5 lines for the audio: the WAV cut into decoder-sized frames by FFmpeg, as stream 1. */
async function audioLines(wav: string, req: CaptureRequest, mplayerLog: string): Promise<string[]> {
  if (!existsSync(wav)) return [];
  const codec = /Selected audio codec: \[ffwmav([12])\]/.exec(mplayerLog)?.[1];
  if (!codec) {
    const named = /Selected audio codec: \[(\w+)\]/.exec(mplayerLog)?.[1] ?? 'none';
    throw new Error(`MPlayer decoded audio with ${named}: only WMA v1/v2 frame lengths are known here`);
  }
  const samples = wmaFrameSamples(codec === '1' ? 1 : 2, wavSampleRate(wav));
  const out = `${wav}.framemd5`;
  const run = await runLimited(
    'ffmpeg',
    [
      ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', wav],
      ...['-af', `asetnsamples=n=${samples}:p=0`, '-f', 'framemd5', '-y', out],
    ],
    { log: req.log, timeoutS: 60 },
  );
  if (run.code !== 0 || !existsSync(out)) throw new Error(`ffmpeg could not read MPlayer's ${wav}`);
  // FFmpeg numbered its only stream 0; here the audio is stream 1, beside MPlayer's video.
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => /^(#tb 0:|#media_type 0:|0,)/.test(l))
    .map((l) => l.replace(/^(#tb |#media_type )?0([,:])/, (_, tag = '', sep: string) => `${tag}1${sep}`));
}

/** Plays `req.url` (rtsp://) in MPlayer and returns the checksums of what it decoded. */
export async function mplayerDecodeCapture(req: CaptureRequest): Promise<Capture> {
  if (req.seekS !== undefined || req.durationS !== undefined || req.bandwidthBps !== undefined) {
    throw new Error('the MPlayer decode driver plays whole files only (no seek, duration or bandwidth)');
  }
  const md5 = join(req.dir, 'mplayer.video.md5');
  const wav = join(req.dir, 'mplayer.wav');
  const out = join(req.dir, 'mplayer.framemd5');
  // cli.ts has no --transport: the words `tcp` or `udp` among its --arg pick it.
  const words = req.extraArgs ?? [];
  const transport = req.transport ?? words.find((w): w is 'tcp' | 'udp' => w === 'tcp' || w === 'udp');
  const args = [
    ...['-noconfig', 'all', '-nolirc', '-nojoystick', '-noconsolecontrols', '-nomouseinput'],
    ...['-prefer-ipv4', '-quiet', '-benchmark'],
    ...['-vo', `md5sum:outfile=${subValue(md5)}`, '-ao', `pcm:fast:file=${subValue(wav)}`],
  ];
  if (transport === 'tcp') args.push('-rtsp-stream-over-tcp');
  if (transport === 'udp') args.push('-lavfdopts', 'o=rtsp_transport=udp');
  args.push(...words.filter((w) => w !== 'tcp' && w !== 'udp'), req.url);
  const run = await runLimited('mplayer', args, { log: req.log, timeoutS: req.timeoutS });
  const log = readFileSync(req.log, 'utf8');
  const lines = [...videoLines(md5, log), ...(await audioLines(wav, req, log))];
  writeFileSync(out, lines.length ? `${lines.join('\n')}\n` : '');
  return { kind: 'framemd5', path: out, run };
}
