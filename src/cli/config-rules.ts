// The value rules the config file and the --broadcast/--archive flags share, so both spellings of a
// publishing point accept exactly the same paths, URLs and archive templates (docs/config.md).
import type { ArchiveConfig } from '../streaming/live/types.js';
import { didYouMean } from './config-error.js';

export const SOURCE_KINDS = ['push', 'pull', 'playlist', 'command'] as const;
export const PULL_SCHEMES = ['http', 'mmsh', 'mms', 'mmst', 'mmsu', 'rtsp', 'rtspt', 'rtspu'] as const;
export const TEMPLATE_TOKENS = ['name', 'date', 'time', 'n'] as const;
/** Binary, as Windows Explorer counts file sizes: the numbers an operator compares against. */
export const MEGABYTE = 1024 * 1024;

const listOr = (words: readonly string[]): string => `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`;
export const SOURCE_KINDS_TEXT = listOr(SOURCE_KINDS);
const TOKENS_TEXT = TEMPLATE_TOKENS.map((t) => `{${t}}`).join(', ');

/**
 * Why `path` cannot name a publishing point, or undefined when it can. It is matched against request paths
 * of MMS, MMSH and RTSP alike, so nothing a URL would split, normalise or escape differently is allowed.
 */
export function pointPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `must start with "/" (e.g. "/live")`;
  if (/[?#]/.test(path)) return 'must not contain "?" or "#"';
  if (/[\s\\\p{Cc}]/u.test(path)) return 'must not contain spaces, "\\" or control characters';
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '')) return 'must not have an empty segment ("//", or "/" at the end)';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." segments';
  return undefined;
}

/** Why `url` cannot be pulled from, or undefined when it can. */
export function pullUrlProblem(url: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return `is not a URL (e.g. mmsh://origin:8080/live)`;
  if (!(PULL_SCHEMES as readonly string[]).includes(scheme))
    return `cannot pull from "${scheme}:" (schemes: ${PULL_SCHEMES.join(', ')})`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.hostname === '') return 'has no host (e.g. mmsh://origin:8080/live)';
  return undefined;
}

/** Why an archive path template is unusable: an unknown `{token}`, a lone brace, no file name. */
export function templateProblem(template: string): string | undefined {
  if (template === '') return 'is empty';
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    const token = m[1]!;
    if (!(TEMPLATE_TOKENS as readonly string[]).includes(token))
      return `has an unknown token {${token}}${didYouMean(token, TEMPLATE_TOKENS, (t) => `{${t}}`)}; tokens are ${TOKENS_TEXT}`;
  }
  if (/[{}]/.test(template.replace(/\{([^{}]*)\}/g, '')))
    return `has a "{" or "}" that is not part of a token; tokens are ${TOKENS_TEXT}`;
  if (/[/\\]$/.test(template)) return 'names a folder; it must name a file';
  return undefined;
}

/** Rotation without a part that changes per file would write every file over the previous one. */
export function rotationProblem(template: string): string | undefined {
  return /\{(n|time)\}/.test(template)
    ? undefined
    : 'rotating needs {n} or {time} in the archive path, or each new file overwrites the last';
}

/** Rounded to whole bytes and milliseconds, never below one, so a tiny positive limit still means "rotate". */
export function archiveConfig(template: string, rotateBytes?: number, rotateMs?: number): ArchiveConfig {
  return {
    template,
    ...(rotateBytes !== undefined && { rotateBytes: Math.max(1, Math.round(rotateBytes)) }),
    ...(rotateMs !== undefined && { rotateMs: Math.max(1, Math.round(rotateMs)) }),
  };
}
