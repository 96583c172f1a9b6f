// The server's config file (docs/config.md): YAML read with node positions, checked with zod, and turned into
// the live contracts of streaming/live/types.ts with paths resolved against the file's folder. Every failure is
// one ConfigError line, FILE:LINE:COLUMN: what is wrong.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, isAlias, parseDocument, visit, type Alias, type Document, type YAMLError } from 'yaml';
import type { ArchiveConfig, BroadcastConfig, SourceConfig } from '../streaming/live/types.js';
import { ConfigError } from './config-error.js';
import { issueMessage, locateIssue } from './config-locate.js';
import { MEGABYTE, archiveConfig } from './config-rules.js';
import { fileSchema, type FileConfig } from './config-schema.js';

export { ConfigError } from './config-error.js';
export { applyArchiveFlags, parseArchiveFlag, parseBroadcastFlag, type ArchiveFlag } from './config-flags.js';

export interface ServerConfig {
  /** The on-demand folder, absolute. */
  readonly media?: string;
  readonly host?: string;
  /** A number: listen there; null: do not serve that protocol; absent: the default port. */
  readonly ports: {
    readonly mms?: number | null;
    readonly http?: number | null;
    readonly rtsp?: number | null;
  };
  readonly stallMs?: number;
  readonly broadcast: BroadcastConfig[];
}

/** Reads and parses a config file; a file that cannot be read is a one-line ConfigError too. */
export async function loadConfig(path: string): Promise<ServerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EISDIR'
          ? 'is a folder, not a file'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.message;
    throw new ConfigError(`cannot read the config file: ${why}`, { file: path }, { cause: e });
  }
  return parseConfig(text, path);
}

/** Parses config text; `fileName` is used in messages and to resolve relative paths. Pure: no file access. */
export function parseConfig(text: string, fileName: string): ServerConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): { file: string; line: number; column: number } => {
    const p = lines.linePos(offset);
    return { file: fileName, line: p.line, column: p.col };
  };
  // Warnings too: an unknown `!tag` is a typo as surely as an unknown key.
  const yamlProblem = doc.errors[0] ?? doc.warnings[0];
  if (yamlProblem) throw new ConfigError(yamlMessage(yamlProblem, text), at(yamlProblem.pos[0]));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`invalid YAML: ${(e as Error).message}`, at(badAliasOffset(doc)), { cause: e });
  }
  const result = fileSchema.safeParse(data ?? {}, { reportInput: true, error: issueMessage });
  if (!result.success) {
    const first = result.error.issues
      .map((issue) => locateIssue(doc, lines, issue))
      .sort((a, b) => a.offset - b.offset)[0]!;
    throw new ConfigError(first.message, at(first.offset));
  }
  return toServerConfig(result.data, dirname(fileName));
}

function yamlMessage(e: YAMLError, text: string): string {
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^[^:,{}\n]*/.exec(text.slice(e.pos[0]))![0].trim();
    return `duplicate key ${/^["']/.test(key) ? key : `"${key}"`}`;
  }
  return `invalid YAML: ${e.message}`;
}

/** Where toJS gave up: an alias whose anchor is not defined before it, else the first alias. */
function badAliasOffset(doc: Document): number {
  let unresolved: Alias | undefined;
  let first: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      first ??= node;
      if (node.resolve(doc) === undefined) {
        unresolved = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const alias = unresolved ?? first;
  return isAlias(alias) ? (alias.range?.[0] ?? 0) : 0;
}

function toServerConfig(f: FileConfig, base: string): ServerConfig {
  const ports: { mms?: number | null; http?: number | null; rtsp?: number | null } = {};
  for (const k of ['mms', 'http', 'rtsp'] as const) {
    const p = f.ports?.[k];
    if (p !== undefined) ports[k] = p === false ? null : p;
  }
  return {
    ...(f.media !== undefined && { media: resolve(base, f.media) }),
    ...(f.host !== undefined && { host: f.host }),
    ports,
    ...(f.stallSeconds !== undefined && { stallMs: Math.round(f.stallSeconds * 1000) }),
    broadcast: (f.broadcast ?? []).map((p) => ({
      path: p.path,
      source: toSource(p, base),
      ...(p.archive && { archive: toArchive(p.archive, base) }),
    })),
  };
}

type FilePoint = NonNullable<FileConfig['broadcast']>[number];

function toSource(p: FilePoint, base: string): SourceConfig {
  // The schema guarantees exactly one of the four.
  const s = p.source;
  if (s.pull !== undefined) return { kind: 'pull', url: s.pull };
  if (s.playlist !== undefined)
    return { kind: 'playlist', path: resolve(base, s.playlist), loop: p.loop ?? true };
  if (s.command !== undefined) return { kind: 'command', command: s.command };
  const password = s.push?.password;
  return password === undefined ? { kind: 'push' } : { kind: 'push', password };
}

function toArchive(a: NonNullable<FilePoint['archive']>, base: string): ArchiveConfig {
  return archiveConfig(
    resolve(base, a.path),
    a.rotate?.megabytes === undefined ? undefined : a.rotate.megabytes * MEGABYTE,
    a.rotate?.minutes === undefined ? undefined : a.rotate.minutes * 60_000,
  );
}
