// The config file's shape as a zod schema (docs/config.md): types, ranges, unknown keys and the rules that
// span keys (one source per point, unique paths). Issues carry paths that config-locate maps back to YAML.
import { z } from 'zod';
import { describeValue, didYouMean } from './config-error.js';
import {
  SOURCE_KINDS,
  SOURCE_KINDS_TEXT,
  pointPathProblem,
  pullUrlProblem,
  rotationProblem,
  templateProblem,
} from './config-rules.js';

/**
 * Extra facts a custom issue carries for the locator: `at: 'key'` points at the key rather than its value;
 * `firstAt` is the path of an earlier entry the message refers to (its line is appended).
 */
export interface ConfigIssueParams {
  readonly at?: 'key';
  readonly firstAt?: readonly PropertyKey[];
}

/**
 * An object whose unknown keys are errors, with a suggestion when the key looks like a typo of a known one.
 * `missing` and `notObject` replace the generic messages where a hint helps.
 */
function strictObject<T extends z.ZodRawShape>(
  shape: T,
  messages: { missing?: string; notObject?: string } = {},
): z.ZodObject<T, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const key = String(iss.keys[0]);
        return `unknown key "${key}"${didYouMean(key, known)}`;
      }
      if (iss.code !== 'invalid_type') return undefined;
      if (iss.input === undefined) return messages.missing;
      return messages.notObject && `${messages.notObject} (got ${describeValue(iss.input)})`;
    },
  });
}

/** A string check from config-rules as a zod refinement. */
function rule(problem: (value: string) => string | undefined) {
  return (value: string, ctx: z.RefinementCtx): void => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: value });
  };
}

const text = z.string().min(1, { error: 'must not be empty' });
const positive = z.number().positive({ error: 'must be greater than 0' });

const port = z.custom<number | null | false>(
  (v) => v === null || v === false || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535),
  {
    error: (iss) =>
      `expected a port number 0..65535, or null/false for "not served" (got ${describeValue(iss.input)})`,
  },
);

/** `push: true` and an empty `push:` mean the same as `push: {}`: push without a password. */
const pushSource = z.preprocess(
  (v) => (v === true || v === null ? {} : v),
  strictObject({ password: text.optional() }, { notObject: 'expected true, {} or { password: ... }' }),
);

const sourceSchema = strictObject(
  {
    push: pushSource.optional(),
    pull: z.string().superRefine(rule(pullUrlProblem)).optional(),
    playlist: text.optional(),
    command: text.optional(),
  },
  {
    missing: `missing "source": give one of ${SOURCE_KINDS_TEXT}`,
    notObject: `expected a mapping with one of ${SOURCE_KINDS_TEXT}, e.g. { push: true }`,
  },
).superRefine((source, ctx) => {
  const given = SOURCE_KINDS.filter((k) => source[k] !== undefined);
  if (given.length === 0)
    ctx.addIssue({ code: 'custom', message: `is empty: give one of ${SOURCE_KINDS_TEXT}`, input: source });
  for (const extra of given.slice(1)) {
    ctx.addIssue({
      code: 'custom',
      message: `a second source (${given[0]!} is already given); a publishing point takes exactly one`,
      path: [extra],
      params: { at: 'key' } satisfies ConfigIssueParams,
      input: source,
    });
  }
});

const rotateSchema = strictObject({
  megabytes: positive.optional(),
  minutes: positive.optional(),
}).superRefine((rotate, ctx) => {
  if (rotate.megabytes === undefined && rotate.minutes === undefined)
    ctx.addIssue({ code: 'custom', message: 'give megabytes, minutes or both', input: rotate });
});

const archiveSchema = strictObject({
  path: z.string().superRefine(rule(templateProblem)),
  rotate: rotateSchema.optional(),
}).superRefine((archive, ctx) => {
  const message = archive.rotate && rotationProblem(archive.path);
  if (message) ctx.addIssue({ code: 'custom', message, path: ['path'], input: archive.path });
});

const pointSchema = strictObject({
  path: z.string().superRefine(rule(pointPathProblem)),
  source: sourceSchema,
  loop: z.boolean().optional(),
  archive: archiveSchema.optional(),
}).superRefine((point, ctx) => {
  if (point.loop !== undefined && point.source.playlist === undefined)
    ctx.addIssue({
      code: 'custom',
      message: 'applies only to a playlist source',
      path: ['loop'],
      params: { at: 'key' } satisfies ConfigIssueParams,
      input: point.loop,
    });
});

const broadcastSchema = z
  .array(pointSchema)
  .nullable()
  .superRefine((points, ctx) => {
    // Compared without case, as WMS compared publishing point names: /Live and /live cannot be two points.
    const seen = new Map<string, number>();
    (points ?? []).forEach((p, i) => {
      const key = p.path.toLowerCase();
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        ctx.addIssue({
          code: 'custom',
          message: `duplicate path "${p.path}"`,
          path: [i, 'path'],
          params: { firstAt: ['broadcast', first, 'path'] } satisfies ConfigIssueParams,
          input: p.path,
        });
    });
  });

export const fileSchema = strictObject({
  media: text.optional(),
  host: text.optional(),
  ports: strictObject({ mms: port.optional(), http: port.optional(), rtsp: port.optional() }).optional(),
  stallSeconds: positive.optional(),
  broadcast: broadcastSchema.optional(),
});

/** The file as written, validated; paths not yet resolved. */
export type FileConfig = z.output<typeof fileSchema>;
