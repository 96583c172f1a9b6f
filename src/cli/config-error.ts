// The one error a bad config file or a bad --broadcast/--archive flag raises: a single line that names where
// (FILE:LINE:COLUMN, or the flag) and what is wrong, so an operator can jump straight to it.
import { NetshowError } from '../core/errors.js';

/** Where in a config file an error points; `line` and `column` are 1-based. */
export interface ConfigPosition {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export class ConfigError extends NetshowError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The message without its location prefix. */
  readonly reason: string;
  constructor(reason: string, at?: ConfigPosition, options?: ErrorOptions) {
    const where =
      at === undefined
        ? ''
        : at.line === undefined
          ? `${at.file}: `
          : `${at.file}:${at.line}:${at.column ?? 1}: `;
    super('E_CONFIG', oneLine(where + reason), options);
    this.name = 'ConfigError';
    this.file = at?.file;
    this.line = at?.line;
    this.column = at?.column;
    this.reason = reason;
  }
}

/** Line breaks in quoted input (a value, a YAML message) would split the one-line promise. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * ` (did you mean "http"?)` when `word` is a likely typo of one candidate, else ''. Case, `-` and `_` are
 * ignored first (`stall_seconds` → `stallSeconds`), then up to one edit (a swap of neighbours counts as one) per
 * three letters is allowed.
 */
export function didYouMean(
  word: string,
  candidates: readonly string[],
  show: (name: string) => string = (name) => `"${name}"`,
): string {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  const w = norm(word);
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(w, norm(name));
    // Short names need a shorter leash: any one letter is one edit from `n`.
    const close =
      distance <= Math.max(1, Math.floor(name.length / 3)) && distance < Math.min(w.length, name.length);
    if (close && (!best || distance < best.distance)) best = { name, distance };
  }
  return best ? ` (did you mean ${show(best.name)}?)` : '';
}

/** Edit distance with adjacent swaps (optimal string alignment); keys are short, so a full table is fine. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** A value as a message shows it: short, one line, and telling an empty YAML value from the string "null". */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' && v.constructor === Object ? 'a mapping' : typeof v;
}
