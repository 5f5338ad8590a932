/**
 * The deploy side of the sources is generated from deploy/sources.yaml: the committed files are what the registry
 * renders (a hand edit, or a registry line without `yecai deploy generate`, fails here), and every source package
 * of the repository has its line.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deployDrift, loadSourceRegistry } from './deploy-sources';

const ROOT = join(__dirname, '..', '..', '..', '..');

describe('deploy files generated from the registry of sources', () => {
  it('are in step with deploy/sources.yaml', () => {
    expect(deployDrift(ROOT)).toEqual([]);
  });

  it('list every source package of the repository, one line each', () => {
    const packages = readdirSync(join(ROOT, 'services'))
      .filter((name) => name.startsWith('source-'))
      .map((name) => name.slice('source-'.length))
      .sort();
    expect(
      loadSourceRegistry(ROOT)
        .map((entry) => entry.system)
        .sort(),
    ).toEqual(packages);
  });
});
