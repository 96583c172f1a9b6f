// VLC refuses to run as root. When the tests run as root (CI containers), a client is started as user
// nobody through setpriv, in a fresh scratch folder that nobody may write (the test's own folders may
// be out of its reach); the caller moves the result out afterwards.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Unprivileged {
  /** Words to put before the command (empty when we are not root). */
  prefix: string[];
  /** Where the client may write. */
  workDir: string;
  env: NodeJS.ProcessEnv;
}

export function unprivileged(ownDir: string, name: string): Unprivileged {
  if (process.getuid?.() !== 0) return { prefix: [], workDir: ownDir, env: process.env };
  const workDir = mkdtempSync(join(tmpdir(), `netshow-${name}-`));
  chmodSync(workDir, 0o777);
  return {
    prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'env', `HOME=${workDir}`],
    workDir,
    env: { ...process.env, XDG_RUNTIME_DIR: workDir, XDG_CONFIG_HOME: workDir, XDG_CACHE_HOME: workDir },
  };
}
