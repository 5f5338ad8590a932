import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { compileRule, loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The 赛狐 inventory rules (F17) on rows in the emulator's shapes (source-apis §5.4): each warehouse-inventory row and
 * each FBA-inventory row is one inventory_snapshot with its warehouse kind, exact quantities and the batch unchanged.
 */
const MASTER_DATA = {
  sku: {
    'saihu/SKU-001-BLK': { materialNumber: 'M-001-BLK', unit: 'Pcs' },
    'saihu/SKU-008-WHT': { materialNumber: 'M-008-WHT', unit: 'Pcs' },
  },
  warehouse: { 'saihu/101': { kingdeeStockNumber: 'CK-SZ' } },
};

const NOW = Date.parse('2026-12-20T00:00:00Z');
const engine = new MappingEngine(loadRules(), {
  lookup: memoryLookup(MASTER_DATA as unknown as Parameters<typeof memoryLookup>[0]),
  now: () => NOW,
});

function map(documentType: string, payload: Record<string, unknown>): Promise<MappingOutcome[]> {
  return engine.map(
    rawInput(documentType, payload, {
      sourceSystem: 'saihu',
      sourceId: String(payload.id),
      sourceModifiedAt: NOW - 3_600_000,
      rawTopic: `yecai.raw.saihu.${documentType}`,
      rawOffset: 1,
    }),
  );
}

/** The outcomes as events (each valid against inventory_snapshot), as plain JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- events are read field by field below
function snapshots(outcomes: MappingOutcome[]): Record<string, any>[] {
  return outcomes.map((outcome) => {
    if (outcome.kind !== 'mapped') throw new Error(`expected a snapshot, got ${JSON.stringify(outcome)}`);
    expect(outcome.targetDocumentType).toBe('inventory_snapshot');
    expect(loadCanonicalSchema('inventory_snapshot').type.isValid(outcome.value)).toBe(true);
    return JSON.parse(JSON.stringify(outcome.value));
  });
}

const warehouseRow = (overrides: Record<string, unknown> = {}) => ({
  id: '1788000000514000003',
  warehouseId: '101',
  warehouseType: '1',
  commoditySku: 'SKU-001-BLK',
  stockAvailable: '120',
  stockDefective: '3',
  stockOccupy: '7',
  stockWait: '12',
  batchNo: 'B202603',
  perPurchase: '18.40',
  updateTime: '2026-12-19 10:15:00',
  ...overrides,
});

const fbaRow = (overrides: Record<string, unknown> = {}) => ({
  id: '1788000000515000004',
  shopId: '8',
  marketplaceId: 'ATVPDKIKX0DER',
  sellerSku: 'MSKU-008-WHT',
  commoditySku: 'SKU-008-WHT',
  fnsku: 'X004',
  afnFulfillableQuantity: '640',
  afnReservedQuantity: '4',
  afnInboundShippedQuantity: '4',
  updateTime: '2026-12-19 11:00:00',
  ...overrides,
});

const levels = (event: Record<string, unknown>) => [
  event.onHand,
  event.available,
  event.reserved,
  event.defective,
  event.inTransit,
];

describe('赛狐仓库库存 → inventory_snapshot', () => {
  it('an own-warehouse row: ONE snapshot, kind OWN, on hand = available + occupied + defective, batch unchanged, the material and mapped stock', async () => {
    const [event, ...more] = snapshots(await map('warehouse_inventory', warehouseRow()));
    expect(more).toEqual([]);
    expect([
      event!.warehouseKind,
      event!.warehouse,
      event!.stock,
      event!.sku,
      event!.material,
      event!.unit,
      event!.batch,
    ]).toEqual(['OWN', '101', 'CK-SZ', 'SKU-001-BLK', 'M-001-BLK', 'Pcs', 'B202603']);
    expect(levels(event!)).toEqual(['130', '120', '7', '3', '12']);
    expect([event!.snapshotAt, event!.source.sourceId, event!.mapping.flow]).toEqual([
      '2026-12-19 10:15:00',
      '1788000000514000003',
      'saihu/inventory_warehouse',
    ]);
  });

  it('a third-party overseas row: kind OVERSEAS_THIRD_PARTY, no batch, an unmapped warehouse left without a Kingdee stock', async () => {
    const [event] = snapshots(
      await map(
        'warehouse_inventory',
        warehouseRow({ warehouseId: '301', warehouseType: '3', batchNo: '', stockAvailable: '0.5' }),
      ),
    );
    expect([event!.warehouseKind, event!.warehouse, event!.stock, event!.batch, event!.onHand]).toEqual([
      'OVERSEAS_THIRD_PARTY',
      '301',
      null,
      null,
      '10.5',
    ]);
  });

  it('an FBA warehouse row is filtered (the FBA endpoint gives that stock); a virtual warehouse parks naming its type', async () => {
    expect(await map('warehouse_inventory', warehouseRow({ warehouseType: '2' }))).toEqual([
      { kind: 'filtered', flow: 'saihu/inventory_warehouse', filter: '非 FBA 仓' },
    ]);
    const [parked] = await map('warehouse_inventory', warehouseRow({ warehouseType: '-1' }));
    expect(parked).toMatchObject({ kind: 'parked', code: 'REQUIRED_VALUE_MISSING', field: 'warehouseKind' });
  });

  it('a row without SKU parks with the field named; a SKU without master data parks naming the SKU', async () => {
    const [noSku] = await map('warehouse_inventory', warehouseRow({ commoditySku: '' }));
    expect(noSku).toMatchObject({ kind: 'parked', code: 'REQUIRED_VALUE_MISSING', field: 'lookup sku' });
    expect(noSku!.kind === 'parked' && noSku!.reasonZh).toContain('commoditySku 为空');
    const [unknown] = await map('warehouse_inventory', warehouseRow({ commoditySku: 'SKU-404' }));
    expect(unknown).toMatchObject({ kind: 'parked' });
    expect(JSON.stringify(unknown)).toContain('saihu/SKU-404');
  });

  it('a row without an available quantity parks (never read as 0)', async () => {
    const { stockAvailable: _dropped, ...row } = warehouseRow();
    const [parked] = await map('warehouse_inventory', row);
    expect(parked).toMatchObject({ kind: 'parked', field: 'onHand' });
  });
});

describe('赛狐 FBA 库存 → inventory_snapshot', () => {
  it('an FBA row: ONE snapshot, kind FBA, warehouse FBA-<shop>, on hand = fulfillable + reserved, in transit apart, no batch', async () => {
    const [event, ...more] = snapshots(await map('fba_inventory', fbaRow()));
    expect(more).toEqual([]);
    expect([
      event!.warehouseKind,
      event!.warehouse,
      event!.shop,
      event!.marketplace,
      event!.sku,
      event!.sellerSku,
      event!.fnsku,
      event!.material,
      event!.batch,
    ]).toEqual(['FBA', 'FBA-8', '8', 'ATVPDKIKX0DER', 'SKU-008-WHT', 'MSKU-008-WHT', 'X004', 'M-008-WHT', null]);
    expect(levels(event!)).toEqual(['644', '640', '4', null, '4']);
    expect([event!.snapshotAt, event!.mapping.flow]).toEqual(['2026-12-19 11:00:00', 'saihu/inventory_fba']);
  });

  it('an FBA row without SKU parks with the field named', async () => {
    const [parked] = await map('fba_inventory', fbaRow({ commoditySku: '' }));
    expect(parked).toMatchObject({ kind: 'parked', field: 'lookup sku' });
    expect(parked!.kind === 'parked' && parked!.reasonEn).toContain('commoditySku is empty');
  });
});

describe('a rule no sink posts (target readBy)', () => {
  const yaml = readFileSync(join(__dirname, '../../rules/saihu/inventory_fba.yaml'), 'utf8');
  const withTarget = (target: string) =>
    yaml.replace(
      'target: { documentType: inventory_snapshot, readBy: reconcile }',
      `target: { documentType: inventory_snapshot, ${target} }`,
    );

  it('names exactly one of a Kingdee form, an OMS or the service that reads it', () => {
    expect(compileRule(yaml, 'inventory_fba.yaml').rule.target).toEqual({
      documentType: 'inventory_snapshot',
      readBy: 'reconcile',
    });
    expect(() => compileRule(withTarget('readBy: reconcile, kingdeeForm: STK_Inventory'), 'x.yaml')).toThrow(
      /x\.yaml[\s\S]*exactly one of kingdeeForm/,
    );
    expect(() => compileRule(withTarget('readBy: nobody'), 'x.yaml')).toThrow(/x\.yaml.*readBy/);
  });
});
