// The real clock's coalescing: wake-ups land on the shared grid, never early, and cancel works.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { coalescingClock } from '../../../src/core/clock.js';

it('fires each wake-up on the grid at or after its time, in one batch per slot, and honours cancel', async () => {
  const clock = coalescingClock(20);
  const t0 = clock.now();
  const fired: { want: number; at: number }[] = [];
  for (const d of [5, 7, 19, 45]) {
    const want = t0 + d;
    clock.at(want, () => fired.push({ want, at: clock.now() }));
  }
  const cancel = clock.at(t0 + 10, () => fired.push({ want: -1, at: clock.now() }));
  cancel();
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(fired.length, 4);
  for (const f of fired) {
    assert.ok(f.at >= f.want - 1, `fired at ${f.at}, wanted ${f.want}`);
    assert.ok(f.at <= f.want + 20 + 40, `fired at ${f.at}, wanted ${f.want}`);
  }
  assert.ok(!fired.some((f) => f.want === -1));
});

it('clears the timer of a slot whose wake-ups were all cancelled, so nothing holds the process', () => {
  const clock = coalescingClock(10);
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  // Two wake-ups on one grid slot (60 000 and 60 001 ms from now could straddle a slot boundary).
  const slot = Math.ceil((clock.now() + 60_000) / 10) * 10;
  const cancels = [clock.at(slot - 5, () => undefined), clock.at(slot - 1, () => undefined)];
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before + 1);
  for (const c of cancels) c();
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before);
});
