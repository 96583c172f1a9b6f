// Turns a zod issue into "where: what" for a config file: the issue's path is walked through the YAML
// document's nodes to the offending key or value, whose source offset becomes LINE:COLUMN.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { z } from 'zod';
import { describeValue } from './config-error.js';
import type { ConfigIssueParams } from './config-schema.js';

/** One issue, placed: `offset` into the source text, `message` prefixed with the key path it concerns. */
export interface LocatedIssue {
  readonly offset: number;
  readonly message: string;
}

interface Walked {
  /** The deepest node the path reaches (null: an empty document). */
  readonly node: Node | null;
  /** The map entry that led to `node`, when the last step was a key. */
  readonly pair: Pair | undefined;
  /** How much of the path was found; shorter than the path when a key is missing. */
  readonly found: readonly PropertyKey[];
}

const offsetOf = (n: unknown): number | undefined => (n as Node | null)?.range?.[0];

function walk(doc: Document, path: readonly PropertyKey[]): Walked {
  let node: Node | null = doc.contents ?? null;
  let pair: Pair | undefined;
  const found: PropertyKey[] = [];
  for (const step of path) {
    if (isAlias(node)) node = node.resolve(doc) ?? null;
    let next: Node | null | undefined;
    if (isMap(node)) {
      const p = node.items.find((it) => keyText(it.key) === String(step));
      pair = p;
      // `key:` with nothing after it has no value node; the key stands in for it.
      next = p ? ((p.value ?? p.key) as Node | null) : undefined;
    } else if (isSeq(node) && typeof step === 'number') {
      pair = undefined;
      next = node.items[step] as Node | null | undefined;
    }
    if (next === undefined || next === null) break;
    node = next;
    found.push(step);
  }
  return { node, pair, found };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** `broadcast[0].source.pull`: the path as an operator would point at it. */
export function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join('');
}

/**
 * Points at the value the issue's path names; at the key instead for an unknown key or an `at: 'key'` issue;
 * at the enclosing mapping for a missing key, whose path prefix then names that mapping.
 */
export function locateIssue(doc: Document, lines: LineCounter, issue: z.core.$ZodIssue): LocatedIssue {
  const params = (issue.code === 'custom' ? issue.params : undefined) as ConfigIssueParams | undefined;
  const w = walk(doc, issue.path);
  let offset = offsetOf(w.node) ?? 0;
  if (issue.code === 'unrecognized_keys' && isMap(w.node)) {
    const key = w.node.items.find((it) => keyText(it.key) === String(issue.keys[0]))?.key;
    offset = offsetOf(key) ?? offset;
  } else if (params?.at === 'key' && w.found.length === issue.path.length && w.pair) {
    offset = offsetOf(w.pair.key) ?? offset;
  }
  let message = issue.message;
  if (params?.firstAt) {
    const first = offsetOf(walk(doc, params.firstAt).node);
    if (first !== undefined) message += ` (first at line ${lines.linePos(first).line})`;
  }
  return { offset, message: w.found.length > 0 ? `${pathText(w.found)}: ${message}` : message };
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list ("- " items)',
};

/** The default messages, in the file's terms (zod's own speak of JavaScript types). */
export const issueMessage: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return `missing "${String(iss.path?.at(-1) ?? '')}"`;
      const hint =
        iss.expected === 'string' && (typeof iss.input === 'number' || typeof iss.input === 'boolean')
          ? ` (quote it: "${String(iss.input)}")`
          : '';
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}${hint}`;
    }
    case 'too_small':
      return `must be at least ${String(iss.minimum)}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}`;
    case 'invalid_value':
      return `expected ${iss.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(iss.input)}`;
    case 'unrecognized_keys':
      return `unknown key "${String(iss.keys[0])}"`;
    default:
      return undefined;
  }
};
