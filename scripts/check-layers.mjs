#!/usr/bin/env node
// The layering rule of STYLE.md as a check: pure layers touch no sockets, files, timers or logs, and
// every import points down the stack (core < asf < protocols < streaming < server/client < cli/admin).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const rank = {
  core: 0,
  asf: 1,
  mmsp: 2,
  wmsp: 2,
  rtsp: 2,
  streaming: 3,
  server: 4,
  client: 4,
  cli: 5,
  admin: 5,
};
const pure = new Set(['core', 'asf', 'mmsp', 'wmsp', 'rtsp']);
const impure = /^(node:)?(net|dgram|http|https|fs|fs\/promises|child_process|timers|tls)$|^pino$/;
const src = resolve('src');
const problems = [];

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

for (const file of walk(src)) {
  const layer = relative(src, file).split('/')[0];
  const text = readFileSync(file, 'utf8');
  const where = relative(process.cwd(), file);
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    if (spec.startsWith('.')) {
      const target = relative(src, resolve(dirname(file), spec)).split('/')[0];
      if (!(target in rank)) continue;
      if (rank[target] > rank[layer] || (rank[target] === rank[layer] && target !== layer)) {
        problems.push(`${where}: ${layer} must not import ${target} (${spec})`);
      }
    } else if (pure.has(layer) && impure.test(spec)) {
      problems.push(`${where}: ${layer} is pure and must not import ${spec}`);
    }
  }
  // core/clock.ts is the one place the real clock lives; everything else receives it.
  if (
    pure.has(layer) &&
    where !== 'src/core/clock.ts' &&
    /\b(setTimeout|setInterval|setImmediate|Date\.now|performance\.now)\s*\(/.test(text)
  ) {
    problems.push(
      `${where}: ${layer} is pure and must not read the time or set timers (take them from the caller)`,
    );
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`layering: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('layering: ok');
