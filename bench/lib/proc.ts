// CPU time and resident memory of a process and all its descendants, from Linux /proc (proc(5)): the PID a
// benchmark starts may be a wrapper (setpriv, sh, npx), so the whole tree is what the server costs.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks: number | null = null;

/** Clock ticks per second (getconf CLK_TCK), the unit of utime and stime. */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

type StatLine = { pid: number; ppid: number; ticks: number };

/** Fields after the `(comm)` of /proc/PID/stat: state is field 3, ppid 4, utime 14, stime 15. */
function readStat(pid: number): StatLine | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
}

/** The PID and every descendant that is alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** utime + stime, in seconds, summed over the given PIDs (a PID that has gone counts 0). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / ticksPerSecond();
}

/** VmRSS in bytes, summed over the given PIDs. */
export function rssBytes(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}

/** The soft and hard RLIMIT_NOFILE of this process. */
export function openFileLimits(): { soft: number; hard: number } {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
  const n = (s: string | undefined): number => (s === undefined || s === 'unlimited' ? Infinity : Number(s));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/** Busy CPU seconds of the whole machine so far (all cores: /proc/stat "cpu" minus idle and iowait). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - (f[3] ?? 0) - (f[4] ?? 0)) / ticksPerSecond();
}

/**
 * TcpExt ListenOverflows of the machine so far (/proc/net/netstat): connections the kernel dropped because a
 * listener's accept queue was full (a server that does not accept fast enough). Null when unreadable.
 */
export function listenOverflows(): number | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'latin1').split('\n');
    const at = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[at]?.split(/\s+/) ?? [];
    const values = lines[at + 1]?.split(/\s+/) ?? [];
    const i = names.indexOf('ListenOverflows');
    return i > 0 && values[0] === 'TcpExt:' ? Number(values[i]) : null;
  } catch {
    return null;
  }
}
