// LinkViewerToMacConnect: the client's first message, naming the player [MS-MMSP 2.2.4.17; mmsp.md §2.2, §2.5].
//
//   M+8  playIncarnation              0xF0F0F0F0 asks for packet pair; the open-source clients send 0
//   M+12 MacToViewerProtocolRevision  0x0004000B
//   M+16 ViewerToMacProtocolRevision  0x0003001C
//   M+20 subscriberName               UTF-16LE to the first NUL, e.g. `NSPlayer/7.0.0.1956; {GUID}; Host: h`
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readWString, writeWString } from './strings.js';

export interface LinkViewerToMacConnect {
  readonly type: 'LinkViewerToMacConnect';
  readonly playIncarnation: number;
  readonly macToViewerProtocolRevision: number;
  readonly viewerToMacProtocolRevision: number;
  readonly subscriberName: string;
}

export const linkViewerToMacConnect: MessageCodec<LinkViewerToMacConnect> = {
  type: 'LinkViewerToMacConnect',
  mid: MID.LinkViewerToMacConnect,
  encode(w, m) {
    w.u32(m.playIncarnation).u32(m.macToViewerProtocolRevision).u32(m.viewerToMacProtocolRevision);
    writeWString(w, m.subscriberName);
  },
  decode(r) {
    return {
      type: 'LinkViewerToMacConnect',
      playIncarnation: r.u32('playIncarnation'),
      macToViewerProtocolRevision: r.u32('MacToViewerProtocolRevision'),
      viewerToMacProtocolRevision: r.u32('ViewerToMacProtocolRevision'),
      subscriberName: readWString(r, 'subscriberName'),
    };
  },
};

/** What a subscriberName says about the player (mmsp.md §2.5, 9.6); null fields when it says nothing. */
export interface SubscriberInfo {
  /** `NSPlayer`, `Spooooon!` (WMS 4.x relays, matched as `Spo+n!`), or null for anything else. */
  readonly product: string | null;
  /** The major version (NSPlayer/9.0 -> 9; `Spooooon!` -> 4), or null. */
  readonly major: number | null;
  readonly version: string | null;
  /** The GUID between braces as sent (VLC's `0x`-prefixed form included), or null. */
  readonly guid: string | null;
  /** The `Host:` element, or null. */
  readonly host: string | null;
}

/** Parses a subscriberName leniently: never rejects (VLC's GUID is malformed, MPlayer's starts with junk). */
export function parseSubscriberName(name: string): SubscriberInfo {
  const spoon = /Spo+n!/.exec(name);
  const player = /NSPlayer\/(\d{1,2})((?:\.\d{1,4}){0,3})/.exec(name);
  const guid = /\{([^}]{1,80})\}/.exec(name);
  const host = /;\s*Host:\s*([^;\0]+)/i.exec(name);
  return {
    product: spoon ? 'Spooooon!' : player ? 'NSPlayer' : null,
    major: spoon ? 4 : player ? Number(player[1]) : null,
    version: player ? `${player[1]}${player[2]}` : null,
    guid: guid ? guid[1]! : null,
    host: host ? host[1]!.trim() : null,
  };
}
