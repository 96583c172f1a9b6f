// The command-line spelling of publishing points (docs/config.md): `--broadcast PATH=SOURCE` and
// `--archive PATH=TEMPLATE[,rotate=500MB][,rotate=60m]`, checked by the same rules as the config file.
import { resolve } from 'node:path';
import type { ArchiveConfig, BroadcastConfig, SourceConfig } from '../streaming/live/types.js';
import { ConfigError, didYouMean } from './config-error.js';
import {
  MEGABYTE,
  SOURCE_KINDS,
  archiveConfig,
  pointPathProblem,
  pullUrlProblem,
  rotationProblem,
  templateProblem,
} from './config-rules.js';

export interface ArchiveFlag {
  readonly path: string;
  readonly archive: ArchiveConfig;
}

const SOURCE_FORMS = 'push, push:PASSWORD, a URL, pull:URL, playlist:FILE_OR_DIR or command:COMMAND';

/** JSON quoting keeps a value with spaces or line breaks readable and on one line. */
function flagError(flag: string, value: string, reason: string): ConfigError {
  return new ConfigError(`${flag} ${JSON.stringify(value)}: ${reason}`);
}

/** Splits PATH=REST and checks PATH as a publishing point path. */
function splitPath(flag: string, value: string, example: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq < 0) throw flagError(flag, value, `expected ${example}`);
  const path = value.slice(0, eq);
  const problem = pointPathProblem(path);
  if (problem !== undefined) throw flagError(flag, value, `the path ${problem}`);
  return [path, value.slice(eq + 1)];
}

/** `--broadcast PATH=SOURCE`; relative playlist paths are resolved against `cwd`. */
export function parseBroadcastFlag(value: string, cwd: string): BroadcastConfig {
  const [path, spec] = splitPath('--broadcast', value, 'PATH=SOURCE, e.g. /live=push');
  const fail = (reason: string): never => {
    throw flagError('--broadcast', value, reason);
  };
  return { path, source: parseSource(spec, cwd, fail) };
}

function parseSource(spec: string, cwd: string, fail: (reason: string) => never): SourceConfig {
  const url = (u: string): SourceConfig => {
    const problem = pullUrlProblem(u);
    return problem === undefined ? { kind: 'pull', url: u } : fail(`the URL ${problem}`);
  };
  if (spec === 'push') return { kind: 'push' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) return url(spec);
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  if (colon >= 0 && (SOURCE_KINDS as readonly string[]).includes(kind) && rest.trim() === '')
    return fail(`nothing after "${kind}:"${kind === 'push' ? ' (plain "push" takes no password)' : ''}`);
  if (colon >= 0) {
    if (kind === 'push') return { kind: 'push', password: rest };
    if (kind === 'pull') return url(rest);
    if (kind === 'playlist') return { kind: 'playlist', path: resolve(cwd, rest), loop: true };
    if (kind === 'command') return { kind: 'command', command: rest };
  }
  const hint = /\.(wsx|asx)$|[/\\]$/i.test(spec)
    ? ` (a playlist? write playlist:${spec})`
    : didYouMean(kind, SOURCE_KINDS);
  return fail(`unknown source${hint}; use ${SOURCE_FORMS}`);
}

/** `--archive PATH=TEMPLATE[,rotate=SIZE][,rotate=DURATION]`; the template is resolved against `cwd`. */
export function parseArchiveFlag(value: string, cwd: string): ArchiveFlag {
  const [path, rest] = splitPath('--archive', value, 'PATH=TEMPLATE[,rotate=500MB|60m]');
  const fail = (reason: string): never => {
    throw flagError('--archive', value, reason);
  };
  const [template = '', ...options] = rest.split(',');
  const problem = templateProblem(template);
  if (problem !== undefined) fail(`the template ${problem}`);
  let rotateBytes: number | undefined;
  let rotateMs: number | undefined;
  for (const option of options) {
    const eq = option.indexOf('=');
    const name = eq < 0 ? option : option.slice(0, eq);
    if (name !== 'rotate')
      fail(`unknown option "${name}"${didYouMean(name, ['rotate'])}; the only one is rotate=`);
    const limit = parseLimit(option.slice(eq + 1));
    if (limit === undefined) fail(`rotate= takes a size (500MB, 2GB) or a duration (90s, 60m, 6h)`);
    else if (limit.value <= 0) fail(`rotate= must be greater than 0`);
    else if (limit.kind === 'bytes') {
      if (rotateBytes !== undefined) fail('two rotate= sizes');
      rotateBytes = limit.value;
    } else {
      if (rotateMs !== undefined) fail('two rotate= durations');
      rotateMs = limit.value;
    }
  }
  if (rotateBytes !== undefined || rotateMs !== undefined) {
    const rotation = rotationProblem(template);
    if (rotation !== undefined) fail(rotation);
  }
  return { path, archive: archiveConfig(resolve(cwd, template), rotateBytes, rotateMs) };
}

const UNITS: Record<string, { kind: 'bytes' | 'ms'; scale: number }> = {
  MB: { kind: 'bytes', scale: MEGABYTE },
  GB: { kind: 'bytes', scale: 1024 * MEGABYTE },
  s: { kind: 'ms', scale: 1000 },
  m: { kind: 'ms', scale: 60_000 },
  h: { kind: 'ms', scale: 3_600_000 },
};

/**
 * `500MB`, `1.5GB`, `90s`, `60m`, `6h`. Size units are case-blind but need the B; duration units are
 * lower case: a bare `500M` is refused rather than guessed as minutes or megabytes.
 */
function parseLimit(text: string): { kind: 'bytes' | 'ms'; value: number } | undefined {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]+)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = UNITS[/b$/i.test(m[2]!) ? m[2]!.toUpperCase() : m[2]!];
  return unit && { kind: unit.kind, value: Number(m[1]) * unit.scale };
}

/**
 * Attaches parsed `--archive` flags to the points they name (from the file or `--broadcast`); an archive for a
 * point that does not exist, or two for one point, is an error rather than a recording that never happens.
 */
export function applyArchiveFlags(
  points: readonly BroadcastConfig[],
  archives: readonly ArchiveFlag[],
): BroadcastConfig[] {
  const byPath = new Map<string, ArchiveConfig>();
  for (const a of archives) {
    const key = a.path.toLowerCase();
    if (!points.some((p) => p.path.toLowerCase() === key))
      throw new ConfigError(`--archive ${a.path}: no publishing point has that path`);
    if (byPath.has(key)) throw new ConfigError(`--archive ${a.path}: given twice`);
    byPath.set(key, a.archive);
  }
  return points.map((p) => {
    const archive = byPath.get(p.path.toLowerCase());
    return archive ? { ...p, archive } : p;
  });
}
