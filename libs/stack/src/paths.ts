import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest ancestor holding turbo.json (YECAI_ROOT wins when set). */
export function repoRoot(from = __dirname): string {
  if (process.env.YECAI_ROOT) return resolve(process.env.YECAI_ROOT);
  let dir = resolve(from);
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no turbo.json above ${from}; set YECAI_ROOT`);
    dir = parent;
  }
  return dir;
}

/** Downloads and builds (git-ignored). YECAI_CACHE moves it, e.g. to share one cache between clones. */
export function cacheDir(root = repoRoot()): string {
  return process.env.YECAI_CACHE ? resolve(process.env.YECAI_CACHE) : join(root, '.cache');
}

/** The operator's long-lived local stack (data survives `down`/`up`). */
export function defaultStateDir(root = repoRoot()): string {
  return process.env.YECAI_STACK_DIR ? resolve(process.env.YECAI_STACK_DIR) : join(cacheDir(root), 'stack');
}
