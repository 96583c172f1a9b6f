#!/usr/bin/env node
// The `netshow` command: it only composes (serve, inspect); each command's work lives in its own module.
import { Command, InvalidArgumentError } from 'commander';
import { NETSHOW_VERSION } from '../server/netshow-server.js';
import { PROTOCOLS } from '../client/rollover.js';
import type { ClientProtocol, StreamSelection } from '../client/types.js';
import { runGet, type GetOptions } from './get.js';
import { runInspect } from './inspect.js';
import { runProbe } from './probe.js';
import { runServe } from './serve.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('seconds, 0 or more');
  return n;
}

function bitsPerSecond(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(value);
  if (!m) throw new InvalidArgumentError('bits per second, e.g. 300000, 300k or 1.5M');
  return Math.round(Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]!) ? 1000 : 1_000_000));
}

function streamList(value: string): number[] {
  const list = value.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 127))
    throw new InvalidArgumentError('stream numbers 1..127, separated by commas');
  return list;
}

function protocol(value: string): ClientProtocol {
  if (!(PROTOCOLS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`one of ${PROTOCOLS.join(', ')}`);
  return value as ClientProtocol;
}

/** The client options `get` and `probe` share. */
function clientOptions(c: Command): Command {
  return c
    .option('--protocol <protocol>', `only this protocol (${PROTOCOLS.join(', ')})`, protocol)
    .option('--start <seconds>', 'start position (on-demand)', seconds)
    .option('--streams <list>', 'stream numbers to receive, e.g. 1,2', streamList)
    .option(
      '--bandwidth <bps>',
      'for multiple-bitrate content: the best streams under this bit rate',
      bitsPerSecond,
    )
    .option('--fast', 'ask for faster-than-real-time delivery where the server allows it')
    .option('--user <name>', 'user name for servers that ask')
    .option('--password <password>', 'password for servers that ask')
    .option('--user-agent <ua>', 'User-Agent to send')
    .option('--timeout <seconds>', 'per-attempt connect limit', seconds, 5)
    .option('--rtsp-port <port>', 'RTSP port for mms:// rollover', port)
    .option('--mms-port <port>', 'MMS port for mms:// rollover', port)
    .option('--http-port <port>', 'HTTP port for mms:// rollover', port)
    .option('--json', 'print a JSON summary for scripts');
}

interface ClientCliOptions {
  protocol?: ClientProtocol;
  start?: number;
  streams?: number[];
  bandwidth?: number;
  fast?: boolean;
  user?: string;
  password?: string;
  userAgent?: string;
  timeout: number;
  rtspPort?: number;
  mmsPort?: number;
  httpPort?: number;
  json?: boolean;
}

function toClientOptions(o: ClientCliOptions): GetOptions {
  const streams: StreamSelection | undefined = o.streams
    ? { kind: 'numbers', numbers: o.streams }
    : o.bandwidth !== undefined
      ? { kind: 'bandwidth', bitsPerSecond: o.bandwidth }
      : undefined;
  const ports = {
    ...(o.rtspPort !== undefined ? { rtsp: o.rtspPort } : {}),
    ...(o.mmsPort !== undefined ? { mms: o.mmsPort } : {}),
    ...(o.httpPort !== undefined ? { http: o.httpPort } : {}),
  };
  return {
    ...(o.protocol ? { protocol: o.protocol } : {}),
    ...(o.start !== undefined ? { startMs: Math.round(o.start * 1000) } : {}),
    ...(streams ? { streams } : {}),
    ...(o.fast ? { fast: true } : {}),
    ...(o.user !== undefined ? { user: o.user } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.userAgent !== undefined ? { userAgent: o.userAgent } : {}),
    connectTimeoutMs: Math.round(o.timeout * 1000),
    ports,
    ...(o.json ? { json: true } : {}),
  };
}

const program = new Command()
  .name('netshow')
  .description('An open Windows Media Services: ASF over MMS, MMSH and MS-RTSP')
  .version(NETSHOW_VERSION);

program
  .command('serve')
  .description('serve every .wmv/.wma/.asf under DIR at the same path on every protocol')
  .argument('[dir]', 'media folder', '.')
  .option('--host <address>', 'address to listen on', '0.0.0.0')
  .option('--http-port <port>', 'MMSH / HTTP port (0 = any free port)', port, 8080)
  .option('--mms-port <port>', 'MMS port, TCP and UDP (0 = any free port)', port, 1755)
  .option('--rtsp-port <port>', 'RTSP port, standing in for 554 (0 = any free port)', port, 8554)
  .option('--config <file>', 'YAML config file (docs/config.md); flags given here win over it')
  .option(
    '--broadcast <path=source>',
    'a broadcast point: /live=push[:PASSWORD], /edge=URL, /chan=playlist:DIR|FILE.wsx, /radio=command:CMD (repeatable)',
    (v: string, all: string[] = []) => [...all, v],
  )
  .option(
    '--archive <path=template>',
    'record a broadcast point: /live=archive/{name}-{date}-{time}.asf[,rotate=500MB][,rotate=60m] (repeatable)',
    (v: string, all: string[] = []) => [...all, v],
  )
  .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
  .option('--log-json', 'log JSON lines even on a terminal')
  .action(async (dir: string, opts: ServeCliOptions, cmd: Command) => {
    const explicit = new Set(
      ['host', 'httpPort', 'mmsPort', 'rtspPort'].filter((k) => cmd.getOptionValueSource(k) === 'cli'),
    );
    const given = cmd.args.length > 0;
    process.exitCode = await runServe(given ? dir : null, { ...opts, explicit });
  });

program
  .command('inspect')
  .description('summarise an ASF file: streams, durations, packets, metadata, index')
  .argument('<file>', 'ASF file (.wmv, .wma, .asf)')
  .option('--json', 'print JSON for scripts')
  .option('--packets', 'one line per data packet')
  .action(async (file: string, opts: { json?: boolean; packets?: boolean }) => {
    process.exitCode = await runInspect(file, opts, (line) => process.stdout.write(line + '\n'));
  });

clientOptions(
  program
    .command('get')
    .description(
      'record an mms://, rtsp://, mmsh:// or http:// stream (or an .asx/.nsc) to a seekable ASF file',
    )
    .argument('<url>', 'stream URL or metafile (path or URL)')
    .option(
      '-o, --output <file>',
      'file to write (default: the file name in the URL; .asf added unless it ends in .asf, .wmv or .wma)',
    )
    .option('--force', 'overwrite the output file if it exists')
    .option('--resume', 'continue a partial recording of an on-demand stream')
    .option('--duration <seconds>', 'stop after this much media time', seconds)
    .option('--reconnect', 'reconnect when a live stream drops'),
).action(
  async (
    url: string,
    o: ClientCliOptions & {
      output?: string;
      force?: boolean;
      resume?: boolean;
      duration?: number;
      reconnect?: boolean;
    },
  ) => {
    process.exitCode = await runGet(
      url,
      {
        ...toClientOptions(o),
        ...(o.output !== undefined ? { output: o.output } : {}),
        ...(o.force ? { force: true } : {}),
        ...(o.resume ? { resume: true } : {}),
        ...(o.duration !== undefined ? { durationS: o.duration } : {}),
        ...(o.reconnect ? { reconnect: true } : {}),
      },
      (line) => process.stdout.write(line + '\n'),
      (line) => process.stderr.write(line + '\n'),
      process.stderr.isTTY === true,
    );
  },
);

clientOptions(
  program
    .command('probe')
    .description('which protocols a URL answers on, which one rollover picks, and the stream header')
    .argument('<url>', 'stream URL or metafile (path or URL)'),
).action(async (url: string, o: ClientCliOptions) => {
  process.exitCode = await runProbe(url, toClientOptions(o), (line) => process.stdout.write(line + '\n'));
});

export interface ServeCliOptions {
  host: string;
  httpPort: number;
  mmsPort: number;
  rtspPort: number;
  logLevel: string;
  logJson?: boolean;
  config?: string;
  broadcast?: string[];
  archive?: string[];
  /** Options given on the command line (they win over the config file). */
  explicit?: ReadonlySet<string>;
}

await program.parseAsync(process.argv);
