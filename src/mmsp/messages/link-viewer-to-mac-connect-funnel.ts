// LinkViewerToMacConnectFunnel: the client names its data channel, TCP or UDP [MS-MMSP 2.2.4.18; mmsp.md §2.2].
//
//   M+8  playIncarnation  M+12 maxBlockBytes  M+16 maxFunnelBytes  M+20 maxBitRate  M+24 funnelMode
//   M+28 funnelName       UTF-16LE `\\<ip>\TCP\<port>` or `\\<ip>\UDP\<port>` to the first NUL (VLC adds a "0")
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readWString, writeWString } from './strings.js';

export interface LinkViewerToMacConnectFunnel {
  readonly type: 'LinkViewerToMacConnectFunnel';
  readonly playIncarnation: number;
  readonly maxBlockBytes: number;
  readonly maxFunnelBytes: number;
  readonly maxBitRate: number;
  readonly funnelMode: number;
  readonly funnelName: string;
}

export const linkViewerToMacConnectFunnel: MessageCodec<LinkViewerToMacConnectFunnel> = {
  type: 'LinkViewerToMacConnectFunnel',
  mid: MID.LinkViewerToMacConnectFunnel,
  encode(w, m) {
    w.u32(m.playIncarnation).u32(m.maxBlockBytes).u32(m.maxFunnelBytes).u32(m.maxBitRate).u32(m.funnelMode);
    writeWString(w, m.funnelName);
  },
  decode(r) {
    return {
      type: 'LinkViewerToMacConnectFunnel',
      playIncarnation: r.u32('playIncarnation'),
      maxBlockBytes: r.u32('maxBlockBytes'),
      maxFunnelBytes: r.u32('maxFunnelBytes'),
      maxBitRate: r.u32('maxBitRate'),
      funnelMode: r.u32('funnelMode'),
      funnelName: readWString(r, 'funnelName'),
    };
  },
};

/** A funnel name's parts: `\\ip\proto\port` [MS-MMSP 2.2.4.18; mmsp.md §2.5]. */
export interface FunnelName {
  readonly address: string;
  readonly transport: 'TCP' | 'UDP';
  readonly port: number;
}

/** Parses a funnel name (proto case-insensitive, port 1..65535); null when it does not follow the grammar. */
export function parseFunnelName(name: string): FunnelName | null {
  const m = /^\\\\([^\\]*)\\(tcp|udp)\\(\d{1,5})$/i.exec(name);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { address: m[1]!, transport: m[2]!.toUpperCase() as 'TCP' | 'UDP', port };
}

export function formatFunnelName(f: FunnelName): string {
  return `\\\\${f.address}\\${f.transport}\\${f.port}`;
}
