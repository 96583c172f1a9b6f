// The CLI's logger: pino JSON lines on stderr for machines, or one readable line per record on a terminal.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'proto', 'session', 'remote']);

/** Turns one pino JSON record into `HH:MM:SS LEVEL [proto session remote] message key=value ...`. */
export function formatRecord(line: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof r.time === 'number' ? new Date(r.time).toISOString().slice(11, 19) : '--:--:--';
  const level = LEVELS[r.level as number] ?? String(r.level);
  const tags = ['proto', 'session', 'remote']
    .map((k) => r[k])
    .filter((v) => v !== undefined)
    .map((v) => String(v as string));
  const extra = Object.entries(r)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const tag = tags.length ? ` [${tags.join(' ')}]` : '';
  return `${time} ${level.padEnd(5)}${tag} ${typeof r.msg === 'string' ? r.msg : ''}${extra.length ? ' ' + extra.join(' ') : ''}`;
}

export function makeLogger(level: string, pretty: boolean): Logger {
  if (!pretty) return pino({ level, base: undefined }, pino.destination(2));
  let pending = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        process.stderr.write(formatRecord(pending.slice(0, nl)) + '\n');
        pending = pending.slice(nl + 1);
      }
      done();
    },
  });
  return pino({ level, base: undefined }, out);
}
