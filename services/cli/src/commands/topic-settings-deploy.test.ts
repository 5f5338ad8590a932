/**
 * The topic settings table (libs/kafka/src/topic-settings.ts) is the only place partitions, cleanup and retention
 * are set: the deployments add no partition count of their own, scale consumers within the table's partitions, and
 * the operations guide shows the table as it is.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { TOPIC_SETTINGS, type TopicKind } from '@yecai/kafka';

const ROOT = join(__dirname, '..', '..', '..', '..');
const DAY_MS = 24 * 60 * 60 * 1000;
const partitionsOf = (kind: TopicKind) => TOPIC_SETTINGS.find((settings) => settings.kind === kind)?.partitions ?? 0;

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Replica count per Deployment: the base's spec.replicas, replaced by an overlay's `replicas` entry. */
function replicasIn(overlay: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of filesUnder('deploy/k8s/base').filter((path) => path.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'))) {
      const resource = doc.toJS() as {
        kind?: string;
        metadata?: { name: string };
        spec?: { replicas?: number };
      } | null;
      if (resource?.kind === 'Deployment' && resource.metadata)
        counts.set(resource.metadata.name, resource.spec?.replicas ?? 1);
    }
  }
  const kustomization = parseYaml(
    readFileSync(join(ROOT, 'deploy/k8s/overlays', overlay, 'kustomization.yaml'), 'utf8'),
  ) as {
    replicas?: { name: string; count: number }[];
  };
  for (const { name, count } of kustomization.replicas ?? []) counts.set(name, count);
  return counts;
}

describe('topic settings in deploy and docs', () => {
  it('no deployment sets a partition count of its own', () => {
    const overriding = [...filesUnder('deploy/k8s'), ...filesUnder('deploy/compose'), 'docker-compose.yml'].filter(
      (path) => /PARTITIONS|numPartitions|--partitions/.test(readFileSync(join(ROOT, path), 'utf8')),
    );
    expect(overriding).toEqual([]);
  });

  it.each(readdirSync(join(ROOT, 'deploy/k8s/overlays')))(
    'overlay %s runs no more consumers than their topics have partitions',
    (overlay) => {
      const replicas = replicasIn(overlay);
      // mapping consumes the raw topics, the sink the canonical ones: a replica beyond the partitions sits idle.
      expect(replicas.get('mapping')).toBeLessThanOrEqual(partitionsOf('raw'));
      expect(replicas.get('sink-kingdee')).toBeLessThanOrEqual(partitionsOf('canonical'));
    },
  );

  it.each([
    ['docs/operations.md', 'days', 'forever'],
    ['docs/operations.zh-CN.md', '天', '永久'],
  ])('%s shows the table as it is', (doc, days, forever) => {
    const rows = readFileSync(join(ROOT, doc), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `yecai.'))
      .map((line) =>
        line
          .split('|')
          .slice(1, 5)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(
      TOPIC_SETTINGS.map((settings) => [
        `\`yecai.${settings.pattern}\``,
        String(settings.partitions),
        settings.compacted ? 'compact' : 'delete',
        settings.retentionMs === null ? forever : `${settings.retentionMs / DAY_MS} ${days}`,
      ]),
    );
  });
});
