// Watches the loopback interface with tshark while a client plays, to prove which transport carried the
// media: for an MMS session, the UDP datagrams the server's port sends to the client's UDP port, and the
// TCP payload the server's port sends. A socket the client owns cannot be observed from here otherwise.
// tshark is optional (scripts/install-peers.sh does not install it): watchLoopback says why it cannot
// watch, and the caller decides what else proves the point.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { which } from './availability.js';
import { appendLog, shellQuote } from './process.js';

export interface WireCount {
  /** UDP datagrams from the server port to the client's UDP port, and their payload bytes. */
  udpDatagrams: number;
  udpBytes: number;
  /** TCP payload bytes sent from the server port (to any client of this server). */
  tcpBytes: number;
}

export interface WireWatch {
  /** Ends the capture and counts what it saw (once; later calls give the same count). */
  stop(): Promise<WireCount>;
}

/** Starts tshark on `lo`; resolves once it captures, or with the reason it cannot. */
export function watchLoopback(o: {
  serverPort: number;
  clientUdpPort: number;
  log: string;
}): Promise<WireWatch | string> {
  if (which('tshark') === undefined) return Promise.resolve('tshark is not installed');
  const filter = `(udp and src port ${o.serverPort} and dst port ${o.clientUdpPort}) or (tcp and src port ${o.serverPort})`;
  const args = ['-i', 'lo', '-n', '-l', '-f', filter, '-T', 'fields', '-e', 'udp.length', '-e', 'tcp.len'];
  appendLog(o.log, `+ ${shellQuote(['tshark', ...args])}`);
  const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8');
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve) => {
    const fail = (why: string): void => {
      clearTimeout(guard);
      child.kill('SIGKILL');
      appendLog(o.log, `tshark: ${why}\n${err}`);
      resolve(`tshark cannot capture on lo: ${why}`);
    };
    const guard = setTimeout(() => fail('not capturing after 15 s'), 15_000);
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`exited with status ${code}`));
    let started = false;
    child.stderr.on('data', (d: string) => {
      err += d;
      if (started || !/Capturing on/.test(err)) return;
      started = true;
      clearTimeout(guard);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      let stopped: Promise<WireCount> | undefined;
      // "Capturing on" comes a little before the first packets are really captured (a short run of
      // VLC's showed one datagram fewer on the wire than the server sent): give it a moment.
      setTimeout(() => resolve({ stop: () => (stopped ??= finish()) }), 1000);
      async function finish(): Promise<WireCount> {
        // let the last datagrams through the capture buffer before ending it
        await new Promise((r) => setTimeout(r, 500));
        child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await closed;
        clearTimeout(killer);
        appendLog(o.log, `tshark: ${err.trim().split('\n').slice(-2).join(' | ')}`);
        const count: WireCount = { udpDatagrams: 0, udpBytes: 0, tcpBytes: 0 };
        for (const line of out.split('\n')) {
          const [udp, tcp] = line.split('\t');
          if (udp) {
            count.udpDatagrams++;
            count.udpBytes += Number(udp) - 8;
          } else if (tcp) {
            count.tcpBytes += Number(tcp);
          }
        }
        appendLog(o.log, `tshark counted ${JSON.stringify(count)}`);
        return count;
      }
    });
  });
}

/** True when a UDP socket on this machine is bound to `port` (IPv4 or IPv6, any address). */
export function udpPortBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local?.endsWith(hex)) return true;
    }
  }
  return false;
}
