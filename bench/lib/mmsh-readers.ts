// One reader process of the fan-out benchmark: opens its share of MMSH Play connections on loopback at
// their appointed times, follows each `$D`'s ASF send time, and at the end of the measuring window prints
// one JSON line (ReaderProcessReport) and exits. A live reader (config `live`) joins a running broadcast: the same
// requests, a different lateness anchor (lib/packet-clock.ts). With `protocol` mmst or mmsu in the config the readers are
// MMS clients instead (lib/mms-readers.ts), with rtspt or rtspu RTSP clients (lib/rtsp-readers.ts); the
// rest (schedule, histograms, report) is the same. Run by
// bench/fanout.ts, never by hand:
//   node --import tsx bench/lib/mmsh-readers.ts '<ReaderConfig as JSON>'
// Times are epoch milliseconds (performance.timeOrigin + performance.now()), shared with the orchestrator.
import net from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readHeaderFacts, readPacketTiming } from './asf.js';
import { runMmsReader } from './mms-readers.js';
import { runRtspReader } from './rtsp-readers.js';
import { MmshStreamReader, type MmshChunk } from './mmsh-stream.js';
import { newResult, PacketClock, type Histograms } from './packet-clock.js';
import { Histogram, round } from './stats.js';

export type BenchProtocol = 'mmsh' | 'mmst' | 'mmsu' | 'rtspt' | 'rtspu';

export type ReaderConfig = {
  /**
   * mmsh (default): HTTP Play on `port`; mmst / mmsu: MMS on `port` with TCP / UDP data; rtspt / rtspu: RTSP on
   * `port` with RTP interleaved on the connection / as UDP datagrams to the reader's own port pair.
   */
  protocol?: BenchProtocol;
  port: number;
  /** MMSH: the URL path (`/file.wmv`); MMS: the same, sent without its leading slash in OpenFile. */
  path: string;
  /** Stream numbers for stream-switch-entry (from the file: the request is sent without a Describe). */
  streams: number[];
  /** Global reader numbers this process runs; reader i starts at startAt + i * rampMs. */
  indexes: number[];
  startAt: number;
  rampMs: number;
  windowStart: number;
  windowEnd: number;
  /** Used when the `$H` gives no preroll. */
  prerollMs: number;
  /** Lateness histogram bin width, ms. */
  binMs: number;
  /** The server serves a live stream the readers join (bench `--mode live`); false or absent: on-demand. */
  live?: boolean;
  /** A packet later than this on its reader's schedule is late (the real-time test), ms. */
  lateMs?: number;
  /** A Send Time step forward larger than this between two packets is media skipped, ms. */
  jumpMs?: number;
};

export type ReaderResult = {
  i: number;
  /** MMSH: the HTTP status; MMS: the hr of ReportOpenFile (0 = opened). */
  status: number;
  /** The response used the chunked transfer coding. */
  chunked: boolean;
  /** Got a 200 and a `$H` with an ASF header. */
  playing: boolean;
  error: string | null;
  /** The connection ended (either side) before the window was over. */
  closedEarly: boolean;
  /** Reason of the first `$E`, if any. */
  endReason: number | null;
  connectMs: number | null;
  firstByteMs: number | null;
  firstDataMs: number | null;
  chunks: Record<string, number>;
  badPackets: number;
  /** Inside the window: ASF content bytes (padding excluded), all socket bytes, `$D` count. */
  contentBytes: number;
  wireBytes: number;
  packets: number;
  /** How far the send time advanced over the window, ms (see fanout.ts `mediaRate`). */
  mediaMs: number;
  /** Lateness samples of this reader in the window, those over `lateMs`, and its own p99 (null: none). */
  lateSamples: number;
  latePackets: number;
  latenessP99Ms: number | null;
  /** In the window: Send Time steps forward over `jumpMs` (media skipped), their sum, and steps back. */
  sendJumps: number;
  sendJumpMs: number;
  sendBackSteps: number;
  /**
   * Packets missing by LocationId (MMSH `$D`, MMS Data) or RTP sequence number (RTSP), all session / revealed
   * inside the window. MMSH counts from the first `$D` after each `$H`.
   */
  lost: number;
  lostInWindow: number;
  /** Packets that came with a LocationId (RTSP: sequence number) below one already seen. */
  outOfOrder: number;
  /** MMS: Ping messages answered with Pong; RTSP: GET_PARAMETER keep-alives sent. */
  pings: number;
  /** mmsu / rtspu: datagrams received inside the window (MMS: header pieces and media; RTSP: RTP). */
  datagrams: number;
  /** RTSP only (0 otherwise): RTP packets received inside the window (fragments count one each). */
  rtpPackets: number;
};

export type ReaderProcessReport = {
  pid: number;
  windowMs: number;
  readers: ReaderResult[];
  lateness: [number, number][];
  jitter: [number, number][];
  /** Event-loop delay beyond the monitor's 10 ms resolution, over the window. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
};

const LOOP_RESOLUTION_MS = 10;
const now = (): number => performance.timeOrigin + performance.now();

/**
 * A Play request without a Describe before it, as FFmpeg's mmsh.c and http.c write it (wmsp.md §9.1):
 * HTTP/1.1, Range and Connection from the HTTP layer, FFmpeg's fixed xClientGUID, one stream-switch-entry
 * per stream with a trailing space, and the last Pragma glued to `Connection: Close` (no CRLF between).
 */
export function playRequest(host: string, port: number, path: string, streams: readonly number[]): string {
  const entries = streams.map((s) => `ffff:${s}:0 `).join('');
  return (
    `GET ${path} HTTP/1.1\r\n` +
    'Range: bytes=0-\r\n' +
    'Connection: close\r\n' +
    'Icy-MetaData: 1\r\n' +
    'Accept: */*\r\n' +
    'User-Agent: NSPlayer/4.1.0.3856\r\n' +
    `Host: ${host}:${port}\r\n` +
    'Pragma: no-cache,rate=1.000000,request-context=2\r\n' +
    'Pragma: xPlayStrm=1\r\n' +
    'Pragma: xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}\r\n' +
    `Pragma: stream-switch-count=${streams.length}\r\n` +
    `Pragma: stream-switch-entry=${entries}\r\n` +
    'Pragma: no-cache,rate=1.000000,stream-time=0Connection: Close\r\n' +
    '\r\n'
  );
}

export type RunningReader = { result: ReaderResult; stop(): void };

function runReader(i: number, cfg: ReaderConfig, h: Histograms): RunningReader {
  const r = newResult(i);
  const started = now();
  const clock = new PacketClock(cfg, cfg.prerollMs, started);
  let arrival = 0;
  let stopped = false;
  let nextLocation: number | null = null; // set by the first $D after a $H

  /** LocationId gaps: a server numbers `$D`s one by one (a header may take a number of the same counter). */
  const checkLocation = (loc: number): void => {
    if (nextLocation !== null && loc > nextLocation) {
      r.lost += loc - nextLocation;
      if (arrival >= cfg.windowStart && arrival < cfg.windowEnd) r.lostInWindow += loc - nextLocation;
    } else if (nextLocation !== null && loc < nextLocation) {
      r.outOfOrder++;
    }
    nextLocation = Math.max(nextLocation ?? 0, loc + 1);
  };

  const onChunk = (c: MmshChunk): void => {
    r.chunks[c.kind] = (r.chunks[c.kind] ?? 0) + 1;
    if (c.kind === 'H') {
      nextLocation = null;
      const h = readHeaderFacts(c.payload);
      if (h) {
        r.playing = true;
        if (h.prerollMs > 0) clock.prerollMs = h.prerollMs;
      }
    } else if (c.kind === 'E') {
      r.endReason ??= c.value;
    } else if (c.kind === 'D') {
      checkLocation(c.value);
      const t = readPacketTiming(c.payload);
      if (!t) {
        r.badPackets++;
        return;
      }
      clock.packet(arrival, t, r);
    }
  };
  const stream = new MmshStreamReader({
    head: (h) => {
      r.status = h.status;
      r.chunked = h.chunked;
    },
    chunk: onChunk,
  });

  const socket = net.connect({ host: '127.0.0.1', port: cfg.port });
  socket.on('connect', () => {
    r.connectMs = round(now() - started, 2);
    socket.write(playRequest('127.0.0.1', cfg.port, cfg.path, cfg.streams));
  });
  socket.on('data', (b: Buffer) => {
    arrival = now();
    r.firstByteMs ??= round(arrival - started, 2);
    if (arrival >= cfg.windowStart && arrival < cfg.windowEnd) r.wireBytes += b.length;
    stream.push(b);
    if (stream.error && !r.error) {
      r.error = stream.error;
      socket.destroy();
    }
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    r.error ??= e.code ?? e.message;
  });
  socket.on('close', () => {
    if (!stopped && now() < cfg.windowEnd) r.closedEarly = true;
  });
  return {
    result: r,
    stop: () => {
      stopped = true;
      socket.destroy();
      clock.finish(r, h);
    },
  };
}

function main(): void {
  const arg = process.argv[2];
  if (!arg) {
    console.error("usage: node --import tsx bench/lib/mmsh-readers.ts '<ReaderConfig JSON>'");
    process.exit(2);
  }
  const cfg = JSON.parse(arg) as ReaderConfig;
  const h: Histograms = { lateness: new Histogram(cfg.binMs), jitter: new Histogram(cfg.binMs) };
  const readers: RunningReader[] = [];
  const run =
    cfg.protocol === 'mmst' || cfg.protocol === 'mmsu'
      ? runMmsReader
      : cfg.protocol === 'rtspt' || cfg.protocol === 'rtspu'
        ? runRtspReader
        : runReader;
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  for (const i of cfg.indexes) {
    setTimeout(() => readers.push(run(i, cfg, h)), Math.max(0, cfg.startAt + i * cfg.rampMs - now()));
  }
  setTimeout(() => loop.enable(), Math.max(0, cfg.windowStart - now()));
  setTimeout(
    () => {
      loop.disable();
      for (const r of readers) r.stop();
      const ms = (ns: number): number => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS), 2);
      const report: ReaderProcessReport = {
        pid: process.pid,
        windowMs: cfg.windowEnd - cfg.windowStart,
        readers: readers.map((r) => r.result),
        lateness: h.lateness.toPairs(),
        jitter: h.jitter.toPairs(),
        eventLoopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      };
      process.stdout.write(JSON.stringify(report) + '\n', () => process.exit(0));
    },
    Math.max(0, cfg.windowEnd - now()),
  );
}

main();
