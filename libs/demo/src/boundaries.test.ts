import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '@yecai/stack';

/**
 * Production code owns the demo: nothing under services/ or libs/ may import the e2e test workspace (issue #16
 * point 5). The emulators (test workspaces) are reached only through @yecai/demo, the local-only demo.
 */
const ROOT = repoRoot(__dirname);

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|json)$/.test(name)) files.push(path);
  }
  return files;
}

const productionFiles = () => [...sourceFiles(join(ROOT, 'services')), ...sourceFiles(join(ROOT, 'libs'))];

describe('demo boundaries', () => {
  it('no file under services/ or libs/ imports or depends on the e2e test workspace', () => {
    const offenders = productionFiles()
      .filter((path) => !path.endsWith('boundaries.test.ts'))
      .filter((path) => /@yecai\/e2e\b|test\/e2e\//.test(readFileSync(path, 'utf8')))
      .map((path) => relative(ROOT, path));
    expect(offenders).toEqual([]);
  });

  it('only the demo library has an emulator among its runtime dependencies (tests may use them as dev dependencies)', () => {
    const dependents = productionFiles()
      .filter((path) => path.endsWith('package.json'))
      .filter((path) => {
        const manifest = JSON.parse(readFileSync(path, 'utf8')) as { dependencies?: Record<string, string> };
        return Object.keys(manifest.dependencies ?? {}).some((name) => name.startsWith('@yecai/emulator-'));
      })
      .map((path) => relative(ROOT, path));
    expect(dependents).toEqual(['libs/demo/package.json']);
  });
});
