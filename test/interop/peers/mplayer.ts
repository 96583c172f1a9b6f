// MPlayer 1.5 as a client: -dumpstream writes the ASF stream its own MMS/TCP and MMSH code received
// (MPlayer does not use FFmpeg or libmms for mms). -dumpstream has no stop-after option: a duration is an
// interrupt. -bandwidth is MPlayer's limit for its choice among multiple-bitrate streams.
// rtsp:// goes to mplayer-decode.ts: MPlayer hands MS-RTSP to libavformat, and then -dumpstream writes
// nothing, so there the comparison is of what MPlayer decodes.
//
// Over MMS/TCP, MPlayer's dump ends 2048 bytes into the last ASF packet: it reads the stream in 2048-byte
// blocks and drops the rest of the last packet at the end (mmsp.md 7.4 and 10 #6, the same 1152 bytes of a
// 3200-byte packet against a mock server; seen with every fixture against netshow on 2026-11-24, whose
// other clients get that packet whole). When a dump ends in a partial packet, the comparison allows the
// frames of that last packet to be absent or damaged (up to 8 in the fixtures: file b's last packet holds 8
// audio frames); every other frame must be equal.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { asfLayout } from './asf.js';
import type { Capture, CaptureRequest } from './driver.js';
import { mplayerDecodeCapture } from './mplayer-decode.js';
import { appendLog, runLimited } from './process.js';
import type { RunResult } from './process.js';

/** Frames a cut-back last packet may have held, per stream. */
const LAST_PACKET_FRAMES = 8;

export async function mplayerCapture(req: CaptureRequest): Promise<Capture> {
  if (req.url.startsWith('rtsp://')) return mplayerDecodeCapture(req);
  const out = join(req.dir, 'mplayer.asf');
  const args = [
    '-noconfig',
    'all',
    '-nolirc',
    '-nojoystick',
    '-noconsolecontrols',
    '-nomouseinput',
    '-prefer-ipv4',
    '-vo',
    'null',
    '-ao',
    'null',
  ];
  if (req.bandwidthBps !== undefined) args.push('-bandwidth', String(req.bandwidthBps));
  args.push('-dumpstream', '-dumpfile', out, ...(req.extraArgs ?? []), req.url);
  const limited = req.durationS !== undefined;
  const run = await runLimited('mplayer', args, {
    log: req.log,
    timeoutS: limited ? (req.durationS ?? 0) + 2 : req.timeoutS,
    signal: limited ? 'INT' : 'TERM',
  });
  if (limited && run.code === 124) Object.assign(run, { code: 0, timedOut: false });
  if (/^mms[tu]?:/.test(req.url) && !limited) return allowPartialPacket(out, req.log, run);
  return { kind: 'media', path: out, run };
}

function allowPartialPacket(out: string, log: string, run: RunResult): Capture {
  let layout: { size: number; headerBytes: number; packetSize: number };
  try {
    layout = { size: statSync(out).size, ...asfLayout(out) };
  } catch {
    return { kind: 'media', path: out, run };
  }
  const { size, headerBytes, packetSize } = layout;
  const partial = (size - headerBytes) % packetSize;
  if (size <= headerBytes || partial === 0) return { kind: 'media', path: out, run };
  appendLog(log, `+ the dump ends ${partial} bytes into a ${packetSize}-byte packet (MPlayer's own loss)`);
  return { kind: 'media', path: out, run, allowance: { tailSlack: LAST_PACKET_FRAMES } };
}
