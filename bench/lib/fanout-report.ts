// Turns one run of the fan-out benchmark (readers' reports plus /proc samples of the server) into the JSON
// figures of bench/fanout.ts: per reader whether it was served at real time, per server the fraction that was and
// the knee over the levels, and netshow/peer ratios.
import type { ReaderProcessReport, ReaderResult } from './mmsh-readers.js';
import { Histogram, percentile, round, spread, type Spread } from './stats.js';

export type ProcSamples = {
  windowS: number;
  serverCpuS: number;
  serverRssIdle: number;
  serverRssPeak: number;
  serverRssEnd: number;
  readerCpuS: number;
  machineBusyS: number;
  /** Machine-wide TcpExt ListenOverflows from the readers' start to the window's end (null: unreadable). */
  listenOverflows: number | null;
};

export type ServerFigures = {
  server: string;
  /** How the readers were served: mmsh, mmst, mmsu, rtspt or rtspu. */
  protocol: string;
  command: string;
  url: string;
  startupMs: number;
  readers: {
    requested: number;
    connected: number;
    failed: number;
    failures: Record<string, number>;
    closedEarly: number;
    endOfStream: number;
    badPackets: number;
    chunkedResponses: number;
  };
  bitrateBps: Spread;
  bitrateRatio: Spread;
  wireBitrateBps: Spread;
  mediaRate: Spread;
  /** MMS: media Data packets missing by LocationId; RTSP: RTP sequence gaps; reorderings (all 0 for MMSH). */
  losses: {
    lostPackets: number;
    lostInWindow: number;
    lossFractionInWindow: number;
    readersWithLoss: number;
    outOfOrder: number;
    datagramsInWindow: number;
    pingsAnswered: number;
  };
  /** Readers that passed the real-time test (`realTimeFailure`), their fraction of those requested, and why not. */
  realTime: { readers: number; fraction: number; failures: Record<string, number> };
  /** `$C` (MMSH) or ReportStreamChange (MMS) seen by any reader; 0 with one file of the same streams. */
  streamChanges: number;
  /** In the window, all readers: Send Time jumps forward over jumpMs (media skipped), their sum, steps back. */
  sendTime: { jumps: number; jumpedMs: number; backSteps: number };
  latenessMs: { p50: number; p99: number; max: number; samples: number };
  jitterMs: { p50: number; p99: number; max: number };
  firstByteMs: { p50: number; p99: number; max: number };
  firstDataMs: { p50: number; p99: number; max: number };
  serverCpuPercent: number;
  serverCpuPercentPerClient: number;
  /** Server CPU ms per second of a connected reader (serverCpuS x 1000 / (connected x windowS)). */
  serverCpuMsPerReaderSecond: number;
  /** Readers served at real time per core of server CPU (realTime.readers / (serverCpuS / windowS)). */
  realTimeReadersPerCore: number;
  serverRssMB: { idle: number; peak: number; end: number };
  serverRssPerClientKB: number;
  readerProcesses: number;
  readerCpuPercent: number;
  readerEventLoopDelayP99Ms: number;
  machineCpuPercent: number;
  otherCpuPercent: number;
  /** Connections the kernel dropped on a full accept queue while the readers joined and played (machine-wide). */
  listenOverflows: number | null;
  windowS: number;
  /** netshow: its JSON log lines over the whole run, counted by level, message and reason. */
  serverLog?: Record<string, number>;
};

/** What "served at real time" allows (fanout.ts `--late-ms`). */
export type RealTimeRule = { lateMs: number };

/** Of a reader's window, how much Send Time advance may be missing before it fails the test. */
const MIN_MEDIA_RATE = 0.95;
const MEDIA_SLACK_MS = 1000;
/** Share of a reader's lateness samples that may be over lateMs (so its own p99 is within it). */
const LATE_SHARE = 0.01;
/** A level holds when at least this share of the readers asked for were served at real time. */
export const KNEE_FRACTION = 0.95;

/** Why a reader was not served at real time, or null when it was (the first failed condition). */
export function realTimeFailure(r: ReaderResult, windowMs: number, rule: RealTimeRule): string | null {
  if (!r.playing || r.error) return 'not connected';
  if (r.closedEarly) return 'closed early';
  if (r.endReason !== null) return 'end of stream';
  if (r.packets === 0) return 'no packet in the window';
  if ((r.lostInWindow ?? 0) > 0) return 'packets lost';
  if (r.sendJumps > 0) return 'media skipped';
  if (r.mediaMs + MEDIA_SLACK_MS < MIN_MEDIA_RATE * windowMs) return 'media behind';
  if (r.latePackets > LATE_SHARE * r.lateSamples) return `late over ${rule.lateMs} ms`;
  return null;
}

const q3 = (values: number[]): { p50: number; p99: number; max: number } => {
  const s = [...values].sort((a, b) => a - b);
  return {
    p50: round(percentile(s, 0.5), 1),
    p99: round(percentile(s, 0.99), 1),
    max: round(s.at(-1) ?? NaN, 1),
  };
};

function failureOf(r: ReaderResult): string {
  if (r.error) return r.error;
  if (r.connectMs === null) return 'no TCP connection';
  if (r.status === 0) return r.firstByteMs === null ? 'no reply' : 'no HTTP head';
  if (r.status !== 200) return `HTTP ${r.status}`;
  return 'no $H with an ASF header';
}

export function summarise(
  reports: ReaderProcessReport[],
  p: ProcSamples,
  fileContentBitrate: number,
  binMs: number,
  rule: RealTimeRule,
  meta: {
    server: string;
    protocol: string;
    command: string;
    url: string;
    startupMs: number;
    requested: number;
  },
): ServerFigures {
  const all = reports.flatMap((r) => r.readers);
  const playing = all.filter((r) => r.playing && !r.error);
  const failures: Record<string, number> = {};
  for (const r of all.filter((x) => !x.playing || x.error)) {
    const why = failureOf(r);
    failures[why] = (failures[why] ?? 0) + 1;
  }
  const missing = meta.requested - all.length;
  if (missing > 0) failures['reader process lost'] = missing;
  const lateness = new Histogram(binMs);
  const jitter = new Histogram(binMs);
  for (const r of reports) {
    lateness.merge(r.lateness);
    jitter.merge(r.jitter);
  }
  const bitrates = playing.map((r) => (r.contentBytes * 8) / p.windowS);
  const n = meta.requested;
  const rssPerClient = (p.serverRssPeak - p.serverRssIdle) / n / 1024;
  const lostInWindow = playing.reduce((a, r) => a + (r.lostInWindow ?? 0), 0);
  // RTSP losses are RTP packets (an ASF packet may be several fragments): count against RTP packets
  const packetsInWindow = playing.reduce((a, r) => a + (r.rtpPackets || r.packets), 0);
  const realTimeFailures: Record<string, number> = {};
  let realTime = 0;
  for (const rep of reports) {
    for (const r of rep.readers) {
      const why = realTimeFailure(r, rep.windowMs, rule);
      if (why === null) realTime++;
      else realTimeFailures[why] = (realTimeFailures[why] ?? 0) + 1;
    }
  }
  if (missing > 0) realTimeFailures['reader process lost'] = missing;
  const cpuCores = p.serverCpuS / p.windowS;
  return {
    server: meta.server,
    protocol: meta.protocol,
    command: meta.command,
    url: meta.url,
    startupMs: meta.startupMs,
    readers: {
      requested: n,
      connected: playing.length,
      failed: n - playing.length,
      failures,
      closedEarly: all.filter((r) => r.closedEarly).length,
      endOfStream: all.filter((r) => r.endReason !== null).length,
      badPackets: all.reduce((a, r) => a + r.badPackets, 0),
      chunkedResponses: all.filter((r) => r.chunked).length,
    },
    realTime: { readers: realTime, fraction: round(realTime / n, 4), failures: realTimeFailures },
    streamChanges: all.reduce((a, r) => a + (r.chunks.C ?? 0) + (r.chunks.StreamChange ?? 0), 0),
    sendTime: {
      jumps: playing.reduce((a, r) => a + r.sendJumps, 0),
      jumpedMs: playing.reduce((a, r) => a + r.sendJumpMs, 0),
      backSteps: playing.reduce((a, r) => a + r.sendBackSteps, 0),
    },
    bitrateBps: spread(bitrates),
    bitrateRatio: spread(
      bitrates.map((b) => b / fileContentBitrate),
      3,
    ),
    wireBitrateBps: spread(playing.map((r) => (r.wireBytes * 8) / p.windowS)),
    mediaRate: spread(
      playing.map((r) => r.mediaMs / (p.windowS * 1000)),
      3,
    ),
    losses: {
      lostPackets: playing.reduce((a, r) => a + (r.lost ?? 0), 0),
      lostInWindow,
      lossFractionInWindow: round(lostInWindow / Math.max(1, lostInWindow + packetsInWindow), 6),
      readersWithLoss: playing.filter((r) => (r.lost ?? 0) > 0).length,
      outOfOrder: playing.reduce((a, r) => a + (r.outOfOrder ?? 0), 0),
      datagramsInWindow: playing.reduce((a, r) => a + (r.datagrams ?? 0), 0),
      pingsAnswered: all.reduce((a, r) => a + (r.pings ?? 0), 0),
    },
    latenessMs: {
      p50: round(lateness.percentile(0.5), 1),
      p99: round(lateness.percentile(0.99), 1),
      max: round(lateness.percentile(1), 1),
      samples: lateness.total,
    },
    jitterMs: {
      p50: round(jitter.percentile(0.5), 1),
      p99: round(jitter.percentile(0.99), 1),
      max: round(jitter.percentile(1), 1),
    },
    firstByteMs: q3(all.flatMap((r) => (r.firstByteMs === null ? [] : [r.firstByteMs]))),
    firstDataMs: q3(all.flatMap((r) => (r.firstDataMs === null ? [] : [r.firstDataMs]))),
    serverCpuPercent: round((100 * p.serverCpuS) / p.windowS, 1),
    serverCpuPercentPerClient: round((100 * p.serverCpuS) / p.windowS / n, 4),
    serverCpuMsPerReaderSecond: round((1000 * cpuCores) / Math.max(1, playing.length), 4),
    realTimeReadersPerCore: cpuCores > 0 ? round(realTime / cpuCores, 0) : NaN,
    serverRssMB: { idle: mb(p.serverRssIdle), peak: mb(p.serverRssPeak), end: mb(p.serverRssEnd) },
    serverRssPerClientKB: round(rssPerClient, 1),
    readerProcesses: reports.length,
    readerCpuPercent: round((100 * p.readerCpuS) / p.windowS, 1),
    readerEventLoopDelayP99Ms: Math.max(0, ...reports.map((r) => r.eventLoopDelayMs.p99)),
    machineCpuPercent: round((100 * p.machineBusyS) / p.windowS, 1),
    otherCpuPercent: round((100 * (p.machineBusyS - p.serverCpuS - p.readerCpuS)) / p.windowS, 1),
    listenOverflows: p.listenOverflows,
    windowS: round(p.windowS, 2),
  };
}

const mb = (bytes: number): number => round(bytes / 1048576, 1);

const ratio = (a: number, b: number): number | null =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 3) : null;

/** netshow's figure divided by the peer's (null where the peer's is 0 or missing). */
export function compare(ours: ServerFigures, peer: ServerFigures): Record<string, number | null> {
  return {
    connected: ratio(ours.readers.connected, peer.readers.connected),
    realTimeFraction: ratio(ours.realTime.fraction, peer.realTime.fraction),
    serverCpuMsPerReaderSecond: ratio(ours.serverCpuMsPerReaderSecond, peer.serverCpuMsPerReaderSecond),
    realTimeReadersPerCore: ratio(ours.realTimeReadersPerCore, peer.realTimeReadersPerCore),
    medianBitrate: ratio(ours.bitrateBps.median, peer.bitrateBps.median),
    medianMediaRate: ratio(ours.mediaRate.median, peer.mediaRate.median),
    serverCpuPercent: ratio(ours.serverCpuPercent, peer.serverCpuPercent),
    serverRssPeak: ratio(ours.serverRssMB.peak, peer.serverRssMB.peak),
    serverRssPerClient: ratio(ours.serverRssPerClientKB, peer.serverRssPerClientKB),
    latenessP50: ours.latenessMs.p50 > 0 ? ratio(ours.latenessMs.p50, peer.latenessMs.p50) : null,
    latenessP99: ours.latenessMs.p99 > 0 ? ratio(ours.latenessMs.p99, peer.latenessMs.p99) : null,
    latenessP50MinusPeerMs: round(ours.latenessMs.p50 - peer.latenessMs.p50, 1),
    latenessP99MinusPeerMs: round(ours.latenessMs.p99 - peer.latenessMs.p99, 1),
    jitterP99: ratio(ours.jitterMs.p99, peer.jitterMs.p99),
    firstByteP50: ratio(ours.firstByteMs.p50, peer.firstByteMs.p50),
    firstByteP99: ratio(ours.firstByteMs.p99, peer.firstByteMs.p99),
  };
}

/** One server and protocol over the levels: the largest level held before the first that did not hold. */
export type Knee = {
  /** Largest N such that this and every smaller level had realTime.fraction >= kneeFraction; null: none held. */
  knee: number | null;
  /** Every level held: the knee is beyond the largest level run. */
  heldEveryLevel: boolean;
  /** Smallest level that did not hold (or could not run), null if none. */
  firstFailing: number | null;
  /** realTime.fraction per level (null: the server did not run or start). */
  fractions: Record<string, number | null>;
};

/** Knees from each level's fractions (levels in any order; a level that did not run counts as not held). */
export function knee(levels: readonly { clients: number; fraction: number | null }[]): Knee {
  const sorted = [...levels].sort((a, b) => a.clients - b.clients);
  const failing = sorted.find((l) => l.fraction === null || l.fraction < KNEE_FRACTION);
  const held = sorted.filter((l) => !failing || l.clients < failing.clients);
  return {
    knee: held.at(-1)?.clients ?? null,
    heldEveryLevel: failing === undefined,
    firstFailing: failing?.clients ?? null,
    fractions: Object.fromEntries(sorted.map((l) => [String(l.clients), l.fraction])),
  };
}

/** How each figure is computed, printed with the figures (the JSON explains itself). */
export function definitions(
  mode: 'vod' | 'live',
  rule: RealTimeRule,
  jumpMs: number,
): Record<string, string> {
  const base: Record<string, string> = { ...DEFINITIONS };
  base.realTime =
    'A reader is served at real time when it connected (see connected), its connection lasted the window, no end of ' +
    'stream came, it got packets in the window, none was lost (losses), its Send Time never jumped forward by more ' +
    `than ${jumpMs} ms between two packets (media skipped: sendTime.jumps), the Send Time advanced by at least ` +
    `${MIN_MEDIA_RATE} x window - ${MEDIA_SLACK_MS} ms, and at most ${LATE_SHARE * 100} % of its lateness samples are ` +
    `over ${rule.lateMs} ms (its own lateness p99 is within --late-ms). realTime.fraction = such readers / readers ` +
    'requested; failures counts the first condition each other reader failed.';
  base.knee =
    `Per server and protocol over the levels run: the largest N at which this and every smaller level had ` +
    `realTime.fraction >= ${KNEE_FRACTION}; heldEveryLevel means the knee lies beyond the largest level run; ` +
    'firstFailing is the smallest level that did not hold.';
  base.serverCpuMsPerReaderSecond =
    'Server CPU (utime+stime of its process tree) over the window, in ms per second of window per connected reader.';
  base.realTimeReadersPerCore =
    'realTime.readers / (server CPU seconds / window seconds): readers served at real time per core the server used, ' +
    '"clients for the same CPU".';
  base.listenOverflows =
    'TcpExt ListenOverflows of /proc/net/netstat from just before the readers start to the end of the window: ' +
    "connection attempts the kernel dropped because a listener's accept queue was full (the server accepts too " +
    "slowly; the reader retries its SYN after 1 s, 3 s, 7 s...). Machine-wide: another program's listener counts too.";
  base.streamChanges = '$C chunks (MMSH) and ReportStreamChange (MMS) seen by all readers.';
  base.sendTime =
    `In the window, over all connected readers: Send Time steps forward of more than ${jumpMs} ms between two ` +
    'consecutive packets (jumps; jumpedMs their sum: media the reader never got, e.g. a live reader that fell out ' +
    "of the server's buffer and went on from a later key frame), and steps back (backSteps: a live muxer's jitter " +
    'or a loop; not failures).';
  if (mode === 'vod') return base;
  return {
    ...base,
    mode: "live: both servers play the same file as a live stream, looped, from their own start, and every reader joins it: netshow as a broadcast point `--broadcast /live=playlist:<the file's folder>` (its own playlist source reads the file and paces it by Send Time), VLC with `--loop --sout-keep` (its input reads the file and paces it). Readers are the vod readers on the path /live (VLC: /).",
    latenessMs:
      "Live: per packet, (arrival - Send Time) - anchor, where anchor is the reader's lowest arrival - Send Time over the " +
      'packets that arrived before the window (or, for a reader whose first packet came inside it, over its start-up ' +
      "burst): the schedule the server kept at its best after the reader joined. A live reader's first packet is old " +
      "(netshow's Fast Start: the buffer from the newest key frame; MMS and RTSP over UDP wait for the next key frame " +
      "instead) and its Send Time is not 0; the burst's packets arrive at once, so each has a larger arrival - Send " +
      'Time than the paced packets after it and never sets the anchor. Packets with sendTime - first sendTime < the ' +
      "preroll of the reader's header are the burst and are left out, as in vod. 0 = on the schedule; positive = " +
      'behind it. Percentiles over every packet of every reader, 0.1 ms bins.',
    jitterMs:
      'Per packet: its lateness minus the median lateness of the same reader; percentiles over all readers.',
  };
}

const DEFINITIONS = {
  window:
    'Measuring window: starts warmupS after the last reader was due to start (reader i starts at i x rampMs), lasts `seconds`. ' +
    'Every per-reader rate, lateness sample and /proc reading is taken inside it.',
  request:
    "mmsh: each reader sends one Play request with no Describe before it, byte for byte as FFmpeg 5.1's mmsh.c writes it " +
    '(HTTP/1.1, Pragma xPlayStrm=1, stream-switch-entry for every stream of the file), and parses $H/$D/$E incrementally. ' +
    "mmst/mmsu: each reader is an MMS client with the values of FFmpeg's verified session (mmsp.md 5.1): Connect, " +
    'FunnelInfo, ConnectFunnel, OpenFile pipelined; ReadBlock on ReportOpenFile; StreamSwitch (every stream) once the ' +
    'last header piece is in; StartPlaying (position 0) on ReportStreamSwitch; Pong to every Ping. mmst names the funnel ' +
    '\\\\127.0.0.1\\TCP\\1037 and reads Data packets between the TCP units; mmsu binds its own UDP socket on 127.0.0.1 ' +
    'and names it (\\\\127.0.0.1\\UDP\\<port>). TCP units, Data packets and ASF are decoded by the bench, not by netshow. ' +
    'rtspt/rtspu: each reader is an RTSP client on one TCP connection: OPTIONS, DESCRIBE (Accept: application/sdp), SETUP of ' +
    "the SDP's first audio/video a=control (rtspt: Transport RTP/AVP/TCP;unicast;interleaved=0-1; rtspu: RTP/AVP;unicast;" +
    'client_port=P-P+1 with its own UDP sockets on 127.0.0.1), PLAY (Range: npt=0.000-, Session from SETUP), then RTP as ' +
    '`$` frames between RTSP messages or as datagrams on P; GET_PARAMETER keep-alive every 30 s (none within a run shorter ' +
    'than that); a server SET_PARAMETER (EndOfStream) is answered 200. The payload format header (rtsp.md 5.3), fragment ' +
    'reassembly, RTP and ASF are decoded by the bench (lib/rtsp-readers.ts, lib/asf.ts), not by netshow.',
  connected:
    'mmsh: HTTP 200 and a $H holding an ASF header, with no error. mmst/mmsu: ReportOpenFile hr 0 and every header ' +
    'piece (incarnation 2, up to AFFlags 0x08/0x0C, fileHeaderSize bytes) holding an ASF header, with no error. ' +
    'rtspt/rtspu: OPTIONS, DESCRIBE (an SDP whose a=pgmpu holds an ASF header), SETUP and PLAY all 200, and at least one ' +
    'RTP packet, with no error. ' +
    'failed = requested - connected; failures names the step a failed reader was waiting for.',
  losses:
    'mmst/mmsu: media Data packets (incarnation 4) whose LocationId was skipped (a gap in the numbering), over the session ' +
    'and revealed inside the window; lossFractionInWindow = lostInWindow / (lostInWindow + packets received in the window); ' +
    'outOfOrder = packets that came below a LocationId already seen (each also un-counts one loss). mmsu: datagramsInWindow ' +
    'counts every datagram received in the window. rtspt/rtspu: RTP packets whose sequence number was skipped (16-bit, ' +
    'modulo); lossFractionInWindow against RTP packets received in the window (a fragmented ASF packet is several); an ' +
    'ASF packet with a lost fragment is dropped. rtspu: datagramsInWindow = RTP datagrams. pingsAnswered: MMS Pongs; ' +
    'RTSP GET_PARAMETER keep-alives sent. mmsh: $D whose LocationId was skipped, counted from the first $D after each $H ' +
    '(netshow and VLC number $D one by one; a header VLC sends again at a loop takes a number).',
  bitrateBps:
    'Per reader: ASF content bytes of the $D (MMS: media Data packets; RTSP: reassembled ASF packets) received in the window (each packet minus its declared padding, so a server ' +
    'that strips padding is not penalised) x 8 / window seconds; min/median/max over connected readers.',
  bitrateRatio:
    "bitrateBps / media.contentBitrateBps (the file's own content bytes x 8 over its send-time span).",
  wireBitrateBps:
    'Per reader: every socket byte received in the window (HTTP, MMS or RTSP/RTP framing, padding; mmsu/rtspu: TCP bytes ' +
    'plus RTP datagram bytes) x 8 / window seconds.',
  mediaRate:
    'Per reader: how far the $D Send Time advanced during the window / window length (1.0 = real time; resolution one packet).',
  latenessMs:
    "Per $D: arrival - (playStart + (sendTime - firstSendTime)), where playStart is the arrival of the reader's first $D and " +
    "firstSendTime its Send Time; packets with sendTime - firstSendTime < the preroll of the reader's $H (the start-up burst) " +
    'are left out. Percentiles over every packet of every reader, 0.1 ms bins; negative = ahead of schedule: a server ' +
    'that sends a preroll ahead and keeps that lead reads about -preroll, one that falls back to the schedule after the ' +
    'burst about 0. Arrival is when ' +
    'the reader process saw the bytes, so a busy reader adds to it (see readerEventLoopDelayP99Ms).',
  jitterMs:
    'Per $D: its lateness minus the median lateness of the same reader; percentiles over all readers. It removes the ' +
    'offset that the first $D sets (arbitrary for a reader joining a live stream) and keeps the unevenness of delivery.',
  readerEventLoopDelayP99Ms:
    'Worst reader process: p99 of its event-loop delay beyond the 10 ms monitor resolution, over the window. ' +
    'A large value means the readers, not the server, added to lateness.',
  firstByteMs:
    'Per reader: from starting the TCP connect to the first response byte (MMS: of ReportConnectedEX; mmsu: the clock ' +
    'starts after binding the UDP socket). firstDataMs: to the first $D (MMS: first media Data packet, after the ' +
    'OpenFile/ReadBlock/StreamSwitch/StartPlaying round trips). RTSP: first byte of the OPTIONS reply (rtspu: the clock ' +
    'starts after binding the port pair); first data = first whole ASF packet out of RTP, after 4 round trips.',
  serverCpuPercent:
    'utime+stime of the server PID and all its descendants (/proc/PID/stat) over the window, as % of one core.',
  serverRssMB:
    'VmRSS summed over the server tree: idle = 1 s after start-up, before any reader; peak = highest 1 s sample in the window.',
  serverRssPerClientKB: '(peak - idle) / requested readers.',
  machineCpuPercent:
    'Busy time of the whole machine over the window (/proc/stat, all cores) as % of one core; minus the server and ' +
    'the readers it shows what else ran (this script, other users): otherCpuPercent.',
  readerCpuPercent:
    'utime+stime of the reader processes over the window, as % of one core (they share the machine).',
  ratiosOursOverPeer:
    "Per protocol: netshow's figure on that protocol / the peer's (VLC's MMSH server, measured once per level); null when either is not positive (a lateness ratio only means something when " +
    'both are late); the *MinusPeerMs entries are differences.',
};

export const LIVE_PEER_NOTE =
  'Live mode: both servers serve the same file as a looped live stream, each reading the file itself and pacing it ' +
  'by its Send Times (netshow: a broadcast point with its playlist source; VLC: --loop --sout-keep), and every ' +
  "reader joins that running stream. netshow passes the file's own packets through (3,200 bytes, preroll 3,100 ms) " +
  'and starts a TCP joiner with its buffer from the newest key frame (Fast Start); VLC re-muxes (its own packets, ' +
  'preroll, Send Times) and sends from the live edge. Both do one read and packetisation for all readers. There is ' +
  "no third-party MMS or MS-RTSP server in Debian, so VLC's MMSH is the peer for every protocol. VLC runs as user " +
  'nobody; both servers share the 127.0.0.1 machine with the readers.';

export const PEER_NOTE =
  'There is no third-party MMS (MS-MMSP) or MS-RTSP server in Debian (VLC 3 in Debian has no live555, so it neither ' +
  "plays nor serves rtsp:// ASF), so the peer for every protocol (mmsh, mmst, mmsu, rtspt, rtspu) is VLC's " +
  "MMSH server on the same file in the same run, measured once per level and reused for each protocol's ratios: the " +
  "mmst/mmsu/rtspt/rtspu ratios compare netshow's MMS or RTSP with VLC's MMSH (same media, same readers' timing code, " +
  'another wire). ' +
  'VLC 3.0 (--sout #std{access=mmsh,mux=asfh}) serves live only: it plays the file once in real time from its own start, ' +
  'every reader joins that one running stream mid-way (no start-up burst, its own re-muxed packets of its own size and ' +
  'preroll, Send Times from its muxer), and it ignores the stream selection. netshow serves the file on demand: each ' +
  'reader gets its own paced session from packet 0. So VLC does one read+mux for all readers, while netshow paces N ' +
  'sessions; both must deliver in real time. VLC runs as user nobody; both servers share the 127.0.0.1 machine with the readers.';
