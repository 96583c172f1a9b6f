// Every error code raised in src/ is listed in docs/errors.md, so the catalogue cannot drift.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it('docs/errors.md lists every error code raised in src/', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  const codes = new Set(
    sources('src').flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/'(E_[A-Z0-9_]+)'/g)].map((m) => m[1]!),
    ),
  );
  assert.ok(codes.size > 10);
  const missing = [...codes].filter((c) => !doc.includes('`' + c + '`'));
  assert.deepEqual(missing, []);
});
