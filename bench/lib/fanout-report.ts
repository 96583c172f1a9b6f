// Turns one run of the fan-out benchmark (readers' reports plus /proc samples of the server) into the JSON
// figures of bench/fanout.ts, and compares two servers' figures as netshow/peer ratios.
import type { ReaderProcessReport, ReaderResult } from './mmsh-readers.js';
import { Histogram, percentile, round, spread, type Spread } from './stats.js';

export type ProcSamples = {
  windowS: number;
  serverCpuS: number;
  serverRssIdle: number;
  serverRssPeak: number;
  serverRssEnd: number;
  readerCpuS: number;
};

export type ServerFigures = {
  server: string;
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
  latenessMs: { p50: number; p99: number; max: number; samples: number };
  jitterMs: { p50: number; p99: number; max: number };
  firstByteMs: { p50: number; p99: number; max: number };
  firstDataMs: { p50: number; p99: number; max: number };
  serverCpuPercent: number;
  serverCpuPercentPerClient: number;
  serverRssMB: { idle: number; peak: number; end: number };
  serverRssPerClientKB: number;
  readerProcesses: number;
  readerCpuPercent: number;
  readerEventLoopDelayP99Ms: number;
  windowS: number;
};

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
  if (r.status === 0) return r.firstByteMs === null ? 'no reply' : 'no HTTP head';
  if (r.status !== 200) return `HTTP ${r.status}`;
  return 'no $H with an ASF header';
}

export function summarise(
  reports: ReaderProcessReport[],
  p: ProcSamples,
  fileContentBitrate: number,
  binMs: number,
  meta: { server: string; command: string; url: string; startupMs: number; requested: number },
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
  return {
    server: meta.server,
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
    serverRssMB: { idle: mb(p.serverRssIdle), peak: mb(p.serverRssPeak), end: mb(p.serverRssEnd) },
    serverRssPerClientKB: round(rssPerClient, 1),
    readerProcesses: reports.length,
    readerCpuPercent: round((100 * p.readerCpuS) / p.windowS, 1),
    readerEventLoopDelayP99Ms: Math.max(0, ...reports.map((r) => r.eventLoopDelayMs.p99)),
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
