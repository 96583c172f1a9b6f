// Which stream numbers a client asks for, from the ASF header and the user's selection: every stream, the
// listed ones, or for a multiple-bitrate file the variant that fits a bandwidth (asf.md §6.1), the way
// Windows Media Player and libmms choose one stream out of each bitrate mutual exclusion group.
import type { AsfHeader } from '../asf/index.js';
import { ClientError, type StreamSelection } from './types.js';

export function selectStreams(header: AsfHeader, selection: StreamSelection = { kind: 'all' }): number[] {
  const all = header.streams.map((s) => s.streamNumber);
  if (selection.kind === 'all') return all;
  if (selection.kind === 'numbers') {
    const missing = selection.numbers.filter((n) => !all.includes(n));
    if (missing.length) {
      throw new ClientError(
        'unsupported',
        `no stream ${missing.join(', ')} in this content (has ${all.join(', ')})`,
      );
    }
    return all.filter((n) => selection.numbers.includes(n));
  }
  const rate = (n: number): number => header.streams.find((s) => s.streamNumber === n)?.bitrate ?? 0;
  const groups = header.mutualExclusions.filter((m) => m.kind === 'bitrate').map((m) => m.streams);
  const grouped = new Set(groups.flat());
  const always = all.filter((n) => !grouped.has(n));
  let budget = selection.bitsPerSecond - always.reduce((sum, n) => sum + rate(n), 0);
  const chosen = [...always];
  for (const group of groups) {
    const members = group.filter((n) => all.includes(n)).sort((a, b) => rate(b) - rate(a));
    if (members.length === 0) continue;
    // The richest variant that fits; when none fits, the leanest one still plays.
    const pick = members.find((n) => rate(n) <= budget) ?? members[members.length - 1]!;
    chosen.push(pick);
    budget -= rate(pick);
  }
  return all.filter((n) => chosen.includes(n));
}
