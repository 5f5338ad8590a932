/**
 * Builds the console's pages (web/ → web/dist with Vite) when they are missing: on the service's first start and in
 * the browser test's set-up, so a clean clone serves its pages without a separate step. `npm run build -w
 * @yecai/console` (turbo's build) does the same ahead of time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WEB_DIST } from './app';

export function ensureWebBuilt(force = false): string {
  if (!force && existsSync(join(WEB_DIST, 'index.html'))) return WEB_DIST;
  let vite: string;
  try {
    vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    throw new Error(
      `the console pages are not built (${WEB_DIST}) and Vite is not installed here: run npm run build -w @yecai/console where the dev dependencies are`,
    );
  }
  // Build beside dist and swap it in: a console serving dist meanwhile (another test, another process) never sees
  // it emptied, and two builds at once each finish their own folder.
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const building = `${WEB_DIST}.build-${suffix}`;
  execFileSync(
    process.execPath,
    [vite, 'build', '--config', join(__dirname, '..', 'web', 'vite.config.mts'), '--outDir', building, '--emptyOutDir', '--logLevel', 'warn'],
    { stdio: 'inherit', timeout: 300_000 },
  );
  if (existsSync(join(WEB_DIST, 'index.html')) && !force) {
    rmSync(building, { recursive: true, force: true });
    return WEB_DIST;
  }
  const previous = `${WEB_DIST}.old-${suffix}`;
  if (existsSync(WEB_DIST)) renameSync(WEB_DIST, previous);
  renameSync(building, WEB_DIST);
  rmSync(previous, { recursive: true, force: true });
  return WEB_DIST;
}
