// Where a PLAY starts on a broadcast: "from the start" in any of its spellings joins the live edge; any other
// position is refused with 457 Invalid Range, as for content that cannot seek [RFC 2326 §11.3.11; rtsp.md §4.2].
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isProtocolError } from '../../../src/core/errors.js';
import { startFromRange } from '../../../src/rtsp/server-rules.js';

const live = {
  live: true,
  seekable: false,
  preroll: 3100,
  durationMs: 0,
  headerSize: 5000,
  packetSize: 3200,
  nptIncludesPreroll: false,
};
const range = (v: string): [string, string][] => [['Range', v]];

describe('startFromRange on a broadcast', () => {
  for (const v of ['npt=0.000-', 'npt=0-', 'npt=now-', 'x-asf-packet=0-', 'x-asf-byte=100-']) {
    it(`${v} joins the live edge`, () => {
      assert.deepEqual(startFromRange(range(v), live), { kind: 'start' });
    });
  }
  it('npt=3.1- is the start for a client whose npt includes the preroll (WMP, GStreamer)', () => {
    assert.deepEqual(startFromRange(range('npt=3.100-'), { ...live, nptIncludesPreroll: true }), {
      kind: 'start',
    });
  });
  for (const v of ['npt=20.000-', 'x-asf-packet=40-', 'x-asf-byte=9000-']) {
    it(`${v} is refused with 457`, () => {
      assert.throws(
        () => startFromRange(range(v), live),
        (e: unknown) => isProtocolError(e) && e.reply.rtsp === 457 && /broadcast cannot seek/.test(e.message),
      );
    });
  }
  it('no Range: a resume, decided by the machine', () => {
    assert.equal(startFromRange([], live), null);
  });
});
