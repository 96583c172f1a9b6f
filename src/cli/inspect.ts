// `netshow inspect FILE`: print what an ASF file holds (header, streams, index, optionally every packet),
// reading only the bytes it needs so a 2 GB file is never loaded whole [asf.md 1.2, 3, 5].
import { open, type FileHandle } from 'node:fs/promises';
import {
  addPacketStats,
  describeAsf,
  emptyPacketStats,
  headerObjectSize,
  isGuid,
  parseFileStart,
  parsePacket,
  parseSimpleIndex,
  DATA_OBJECT_HEADER_SIZE,
  MAX_OBJECT_SIZE,
  type AsfFileLayout,
  type AsfSummary,
  type DataPacket,
  type SimpleIndex,
} from '../asf/index.js';
import { ProtocolError } from '../core/errors.js';

export interface InspectOptions {
  json?: boolean;
  packets?: boolean;
}

/** Packets read per chunk with --packets: 256 x 64 KiB at most, 16 MiB of memory. */
const PACKETS_PER_CHUNK = 256;
/** Objects after the Data Object we look at before giving up (a real file has at most four). */
const MAX_TRAILING_OBJECTS = 16;

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

async function readLayout(fh: FileHandle, fileSize: number): Promise<AsfFileLayout> {
  const first = await readAt(fh, 0, 24);
  if (first.length < 24) {
    throw new ProtocolError('E_TRUNCATED', `file is ${first.length} bytes, too short for an ASF header`, {
      offset: first.length,
    });
  }
  const size = headerObjectSize(first);
  const start = await readAt(fh, 0, size + DATA_OBJECT_HEADER_SIZE);
  // The declared counts first, so a truncated file is reported rather than silently shortened; a live
  // header says 0 packets, and then only the file size tells.
  const declared = parseFileStart(start);
  const layout = declared.packetCount === 0 ? parseFileStart(start, fileSize) : declared;
  if (layout.dataEnd > fileSize) {
    const n = Math.floor((fileSize - layout.firstPacketOffset) / layout.packetSize);
    throw new ProtocolError(
      'E_TRUNCATED',
      `file truncated: the header declares ${layout.packetCount} packets, the file ends inside packet ${n}`,
      { offset: fileSize },
    );
  }
  return layout;
}

async function readIndexes(fh: FileHandle, layout: AsfFileLayout, fileSize: number): Promise<SimpleIndex[]> {
  const out: SimpleIndex[] = [];
  let at = layout.dataEnd;
  for (let i = 0; i < MAX_TRAILING_OBJECTS && at + 24 <= fileSize; i++) {
    const head = await readAt(fh, at, 24);
    const size = head.readBigUInt64LE(16);
    // Not an object (FFmpeg's live output ends with a `$E` chunk): stop looking.
    if (size < 24n || size > BigInt(MAX_OBJECT_SIZE) || at + Number(size) > fileSize) break;
    if (isGuid(head.subarray(0, 16), 'simpleIndex')) {
      out.push(parseSimpleIndex(await readAt(fh, at, Number(size)), at));
    }
    at += Number(size);
  }
  return out;
}

async function* readPackets(
  fh: FileHandle,
  layout: AsfFileLayout,
): AsyncGenerator<[number, number, DataPacket]> {
  const S = layout.packetSize;
  for (let n = 0; n < layout.packetCount; n += PACKETS_PER_CHUNK) {
    const k = Math.min(PACKETS_PER_CHUNK, layout.packetCount - n);
    const base = layout.firstPacketOffset + n * S;
    const chunk = await readAt(fh, base, k * S);
    for (let i = 0; i < k; i++) {
      const at = base + i * S;
      if ((i + 1) * S > chunk.length) {
        throw new ProtocolError('E_TRUNCATED', `packet ${n + i} is cut short`, {
          offset: base + chunk.length,
        });
      }
      yield [n + i, at, parsePacket(chunk.subarray(i * S, (i + 1) * S), S, at)];
    }
  }
}

export function packetLine(n: number, offset: number, p: DataPacket): string {
  const payloads = p.payloads.map((x) => {
    const size = x.objectSize === undefined ? '' : `/${x.objectSize}`;
    const kind = x.compressed ? ` compressed x${x.subPayloads?.length ?? 0}` : '';
    return `[s${x.streamNumber}${x.keyFrame ? ' K' : ''} obj ${x.objectNumber} off ${x.compressed ? 0 : x.offset} size ${x.data.length}${size} pt ${x.presentationTime}${kind}]`;
  });
  return `#${n} @${offset} send ${p.sendTime} dur ${p.duration} pad ${p.paddingLength} ${payloads.join(' ')}`;
}

function kbps(bps: number | undefined): string {
  return bps === undefined ? '? kb/s' : `${(bps / 1000).toFixed(bps % 1000 === 0 ? 0 : 1)} kb/s`;
}

export function summaryLines(file: string, fileSize: number, s: AsfSummary): string[] {
  const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
  const lines = [`${file}: ASF, ${fileSize} bytes`];
  lines.push(
    s.durationMs === undefined
      ? `  live (broadcast) header: no duration; preroll ${s.prerollMs} ms`
      : `  duration ${sec(s.durationMs)} (play ${sec(s.playDurationMs)} incl. preroll ${s.prerollMs} ms, send ${sec(s.sendDurationMs)})`,
  );
  const flags = [s.broadcast ? 'broadcast' : '', s.seekable ? 'seekable' : ''].filter(Boolean).join(', ');
  lines.push(
    `  packets ${s.packetCount} x ${s.packetSize} bytes, header ${s.headerObjectSize} bytes, max bitrate ${kbps(s.maxBitrate)}${flags ? `, ${flags}` : ''}`,
  );
  for (const [k, v] of Object.entries(s.metadata)) lines.push(`  ${k}: ${v}`);
  for (const st of s.streams) {
    const what =
      st.kind === 'video'
        ? `${st.fourcc ?? '?'} (${st.codec}) ${st.width}x${st.height}${st.frameRate ? ` ${st.frameRate} fps` : ''}`
        : st.kind === 'audio'
          ? `${st.codec} ${st.sampleRate} Hz ${st.channels} ch`
          : st.codec;
    const extra = [st.hidden ? 'hidden' : '', st.encrypted ? 'encrypted' : ''].filter(Boolean).join(', ');
    lines.push(
      `  stream ${st.streamNumber} ${st.kind} ${what}, ${kbps(st.bitrate)}${extra ? ` (${extra})` : ''}`,
    );
  }
  for (const m of s.mutualExclusions)
    lines.push(`  mutual exclusion (${m.kind}, in the ${m.where}): ${m.streams.join(', ')}`);
  lines.push(
    s.index.present
      ? s.index.simpleIndexes
          .map((i) => `  simple index: ${i.entries} entries every ${i.intervalMs} ms`)
          .join('\n')
      : '  index: none',
  );
  lines.push(`  objects: ${s.objects.join(', ')}`);
  return lines;
}

export async function runInspect(
  file: string,
  opts: InspectOptions,
  out: (line: string) => void,
): Promise<number> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const fileSize = (await fh.stat()).size;
    const layout = await readLayout(fh, fileSize);
    const indexes = await readIndexes(fh, layout, fileSize);
    const packetLines: string[] = [];
    const stats = emptyPacketStats();
    const jsonPackets: unknown[] = [];
    if (opts.packets) {
      for await (const [n, at, p] of readPackets(fh, layout)) {
        addPacketStats(stats, p);
        if (opts.json) jsonPackets.push(packetJson(n, at, p));
        else packetLines.push(packetLine(n, at, p));
      }
    }
    const summary = describeAsf(layout, indexes, opts.packets ? stats : undefined);
    if (opts.json) {
      out(
        JSON.stringify(
          opts.packets
            ? { file, fileSize, ...summary, packetList: jsonPackets }
            : { file, fileSize, ...summary },
          null,
          2,
        ),
      );
    } else {
      for (const l of summaryLines(file, fileSize, summary)) out(l);
      for (const l of packetLines) out(l);
    }
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    out(`netshow inspect: ${file}: ${message}`);
    return 1;
  } finally {
    await fh?.close();
  }
}

function packetJson(n: number, offset: number, p: DataPacket): unknown {
  return {
    number: n,
    offset,
    sendTime: p.sendTime,
    duration: p.duration,
    paddingLength: p.paddingLength,
    payloads: p.payloads.map((x) => ({
      stream: x.streamNumber,
      key: x.keyFrame,
      object: x.objectNumber,
      offset: x.offset,
      size: x.data.length,
      objectSize: x.objectSize,
      presentationTime: x.presentationTime,
      compressed: x.compressed,
    })),
  };
}
