import { generateDocument, type JstDocumentType } from '@yecai/emulator-jushuitan';
import { MappingEngine, loadRules, type MappingOutcome } from '@yecai/mapping';
import { keyOf, type EntityName, type MasterDataLookup } from '@yecai/master-data';
import { MATERIAL_MISSING_SKU, UNMAPPED_WAREHOUSE, demoWorld } from '@yecai/demo';

/**
 * The demo world is consistent with the JST lot policy: every line that takes stock out of Kingdee names a lot the
 * opening stock is in, so a demo day fails in Kingdee only for its deliberate exception (the missing material), never
 * with 库存不足 for a lot mismatch; the mapping stage parks only the unmapped warehouse.
 */
const world = demoWorld();

function seedLookup(): MasterDataLookup {
  const records = new Map<string, Record<string, unknown>>();
  for (const [entity, list] of Object.entries(world.masterData)) {
    for (const record of list as Record<string, unknown>[]) records.set(`${entity}\u0000${keyOf(entity as EntityName, record)}`, record);
  }
  return { get: async (entity, key) => records.get(`${entity}\u0000${key}`) ?? null };
}

/** Lines that take stock out, as (material, Kingdee warehouse, lot) — the key Kingdee checks stock by. */
function outgoing(outcome: Extract<MappingOutcome, { kind: 'mapped' }>): [material: string, warehouse: string, lot: string][] {
  const lines = (outcome.value as { lines: Record<string, unknown>[] }).lines;
  const lot = (line: Record<string, unknown>) => (line.batch as string | null) ?? '';
  switch (outcome.targetDocumentType) {
    case 'sales_outstock':
    case 'purchase_return':
    case 'other_outstock':
      return lines.map((line) => [line.material as string, line.warehouse as string, lot(line)]);
    case 'transfer':
      return lines.map((line) => [line.material as string, line.sourceWarehouse as string, lot(line)]);
    case 'stock_count':
      return lines.filter((line) => line.direction === 'LOSS').map((line) => [line.material as string, line.warehouse as string, lot(line)]);
    default:
      return [];
  }
}

describe('demo world (libs/demo/src/demo-world.ts) and the JST lot policy', () => {
  it('every outgoing line of a business day names a lot its material has opening stock in; only warehouse 100004 parks', async () => {
    const engine = new MappingEngine(loadRules(), { lookup: seedLookup() });
    const stocked = new Set(world.kingdeeFixture.stock.map((line) => `${line.material}|${line.warehouse}|${line.lot ?? ''}`));
    const parkedReasons = new Set<string>();
    const checked: Record<string, number> = {};
    for (const [type, count] of Object.entries(world.businessDay(2000)) as [JstDocumentType, number][]) {
      for (let index = 0; index < count; index += 1) {
        const document = generateDocument(1, type, index, { modifiedMs: Date.parse('2026-12-06T02:00:00Z') + index * 1000, ts: undefined, status: 'Confirmed', overrides: {} });
        const raw = { sourceSystem: 'jushuitan', account: 'demo', documentType: type, sourceId: String(index), sourceModifiedAt: 0, contentHash: 'x', payload: JSON.stringify(document), rawTopic: 't', rawPartition: 0, rawOffset: index };
        for (const outcome of await engine.map(raw)) {
          if (outcome.kind === 'parked') parkedReasons.add(`${outcome.code} ${outcome.missing?.map((missing) => `${missing.entity}:${missing.key}`).join(',')}`);
          if (outcome.kind !== 'mapped') continue;
          for (const [material, warehouse, lot] of outgoing(outcome)) {
            if (material === MATERIAL_MISSING_SKU) continue;
            checked[outcome.targetDocumentType] = (checked[outcome.targetDocumentType] ?? 0) + 1;
            expect(`${material}|${warehouse}|${lot}`).toBe([...stocked].find((key) => key === `${material}|${warehouse}|${lot}`));
          }
        }
      }
    }
    expect(Object.keys(checked).sort()).toEqual(['other_outstock', 'purchase_return', 'sales_outstock', 'stock_count', 'transfer']);
    expect([...parkedReasons]).toEqual([`MISSING_MASTER_DATA warehouse:jushuitan/${UNMAPPED_WAREHOUSE}`]);
  });
});
