/** The shared exactly-once suite against a target with no Kingdee in it (memory-target.ts). */
import { createHash } from 'node:crypto';
import { PostingService } from '../service';
import { describeExactlyOnceSuite } from './exactly-once-suite';
import { MemoryTarget, MemoryTargetSystem } from './memory-target';

/** A canonical `warehouse` event: the smallest canonical type; the memory target keys it by its number. */
function warehouseEvent(number: string, version = 1, name = `仓库 ${number}`): Record<string, unknown> {
  return {
    source: {
      sourceSystem: 'jushuitan',
      account: 'demo',
      documentType: 'warehouse',
      sourceId: number,
      sourceModifiedAt: 1_763_600_000_000 + version * 1000,
      contentHash: createHash('sha256').update(`warehouse/${number}/v${version}/${name}`).digest('hex'),
      rawTopic: 'raw.jushuitan.warehouse',
      rawPartition: 0,
      rawOffset: version,
    },
    mapping: { flow: 'jushuitan/warehouse', ruleVersion: 'test-1', mappedAt: 1_763_600_000_000 },
    number,
    name,
    createOrg: '100',
    useOrgs: [],
    allowNegativeStock: false,
    enabled: true,
  };
}

describeExactlyOnceSuite('in-memory target', async () => {
  const system = new MemoryTargetSystem();
  return {
    documentType: 'warehouse',
    event: (key, version = 1) => warehouseEvent(key, version),
    // The target refuses a name with '#' (its own data rule).
    badEvent: (key) => warehouseEvent(key, 1, `仓库#${key}`),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new PostingService({
        settings: {
          flows: [{ documentType: 'warehouse', billNumberPattern: '{sourceId}', onModified: 'update_if_not_audited' }],
          groupId,
          sessionTimeoutMs: 30_000,
          batchSize: 5,
          chunksInFlight: 2,
          ledgerCountsRefreshMs: 600_000,
          level2RetryDelaysMs: [60_000],
          probeIntervalMs: 300,
          schedulerIntervalMs: 300,
          schedulerSweepMs: 300_000,
          staleInFlightMs: 120_000,
        },
        adapter: new MemoryTarget(system),
        kafka,
        serde,
        db,
        metricsRegistry,
        collectionPrefix: 'sink_memory',
      }),
    async written(prefix) {
      const counts = new Map<string, number>();
      for (const document of system.documents.values()) if (document.key.startsWith(prefix)) counts.set(document.key, (counts.get(document.key) ?? 0) + 1);
      return counts;
    },
    loseAnswers: (count) => void (system.faults.loseAnswers = count),
    setDown: (down) => void (system.faults.down = down),
    close: async () => undefined,
  };
});
