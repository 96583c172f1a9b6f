#!/usr/bin/env node
// The `netshow` command: it only composes (serve, inspect); each command's work lives in its own module.
import { Command, InvalidArgumentError } from 'commander';
import { NETSHOW_VERSION } from '../server/netshow-server.js';
import { runInspect } from './inspect.js';
import { runServe } from './serve.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return n;
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
  .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
  .option('--log-json', 'log JSON lines even on a terminal')
  .action(async (dir: string, opts: ServeCliOptions) => {
    process.exitCode = await runServe(dir, opts);
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

export interface ServeCliOptions {
  host: string;
  httpPort: number;
  mmsPort: number;
  rtspPort: number;
  logLevel: string;
  logJson?: boolean;
}

await program.parseAsync(process.argv);
