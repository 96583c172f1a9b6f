#!/usr/bin/env node
// Runs the test suites with node:test (through tsx, so no build is needed).
//   node scripts/run-tests.mjs [unit|integration|interop|fuzz ...]   default: all of them
// NETSHOW_REQUIRE_PEERS=1 makes a missing third-party client a failure instead of a loud skip.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suites = {
  unit: ['test/unit'],
  integration: ['test/integration'],
  interop: ['test/interop'],
  fuzz: ['fuzz'],
};
const wanted = process.argv.slice(2);
const dirs = (wanted.length ? wanted : Object.keys(suites)).flatMap((s) => {
  if (!(s in suites)) {
    console.error(`unknown suite ${s}; one of ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  return suites[s];
});

function walk(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = dirs.flatMap(walk);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.NETSHOW_TEST_CONCURRENCY ?? '3';
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
