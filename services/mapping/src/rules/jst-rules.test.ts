import { SHOPS, SKUS, WAREHOUSES, generateDocument, type JstDocumentType } from '@yecai/emulator-jushuitan';
import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/** Master data covering everything the JST emulator generates; warehouses split over two stock orgs. */
function emulatorMasterData() {
  const data: Record<string, Record<string, Record<string, unknown>>> = { shop: {}, warehouse: {}, sku: {}, supplier: {}, currency: {} };
  for (const shop of SHOPS) data.shop![`jushuitan/${shop.shop_id}`] = { customerNumber: `C${shop.shop_id}`, deliveryOrg: '100' };
  WAREHOUSES.forEach((warehouse, index) => {
    data.warehouse![`jushuitan/${warehouse.wms_co_id}`] = { kingdeeStockNumber: `CK${index + 1}`, stockOrg: index < 2 ? '100' : '200' };
  });
  for (const sku of SKUS) data.sku![`jushuitan/${sku.sku_id}`] = { materialNumber: `M-${sku.sku_id}`, unit: 'Pcs' };
  for (const id of [3001, 3002, 3003]) data.supplier![`jushuitan/${id}`] = { kingdeeSupplierNumber: `VEN${id}` };
  data.currency!.RMB = { kingdeeCurrencyNumber: 'PRE001' };
  return data;
}

const engine = new MappingEngine(loadRules(), { lookup: memoryLookup(emulatorMasterData()) });

async function mapGenerated(type: JstDocumentType, count = 120): Promise<MappingOutcome[]> {
  const outcomes: MappingOutcome[] = [];
  for (let index = 0; index < count; index += 1) {
    const document = generateDocument(7, type, index, { modifiedMs: Date.parse('2024-03-01T00:00:00Z') + index * 1000, status: 'Confirmed', ts: undefined, overrides: {} });
    outcomes.push(...(await engine.map(rawInput(type, document))));
  }
  return outcomes;
}

const mappedValues = (outcomes: MappingOutcome[], flow: string) =>
  outcomes.flatMap((outcome) => (outcome.kind === 'mapped' && outcome.flow === flow ? [outcome.value as Record<string, any>] : []));

describe('JST rules on emulator-generated documents (real field names, source-apis.md §2.7–2.10)', () => {
  it.each([
    ['sales_outstock', 'jushuitan/sales_outstock', 'sales_outstock'],
    ['aftersale_received', 'jushuitan/sales_return', 'sales_return'],
    ['purchase_in', 'jushuitan/purchase_instock', 'purchase_instock'],
    ['purchase_out', 'jushuitan/purchase_return', 'purchase_return'],
    ['allocate', 'jushuitan/transfer', 'transfer'],
    ['stock_count', 'jushuitan/stock_count', 'stock_count'],
  ] as const)('%s: nothing parked, events fit the canonical schema', async (type, flow, target) => {
    const outcomes = await mapGenerated(type);
    expect(outcomes.filter((outcome) => outcome.kind === 'parked')).toEqual([]);
    const events = mappedValues(outcomes, flow);
    expect(events.length).toBeGreaterThan(10);
    const schema = loadCanonicalSchema(target).type;
    for (const event of events) expect(schema.isValid(event)).toBe(true);
  });

  it('other in/out: 其它进仓 becomes an other in-stock, 其它出库/其它退货 an other out-stock, never both', async () => {
    const outcomes = await mapGenerated('other_inout');
    expect(outcomes.filter((outcome) => outcome.kind === 'parked')).toEqual([]);
    const ins = mappedValues(outcomes, 'jushuitan/other_instock');
    const outs = mappedValues(outcomes, 'jushuitan/other_outstock');
    expect(ins.length).toBeGreaterThan(5);
    expect(outs.length).toBeGreaterThan(5);
    expect(new Set(ins.map((event) => event.billNumber)).size + new Set(outs.map((event) => event.billNumber)).size).toBe(ins.length + outs.length);
    expect(ins.every((event) => !outs.some((other) => other.billNumber === event.billNumber))).toBe(true);
  });

  it('transfer: only 调拨入 documents, orgs from the out/in warehouses, cross-org when they differ', async () => {
    const outcomes = await mapGenerated('allocate');
    const events = mappedValues(outcomes, 'jushuitan/transfer');
    expect(outcomes.filter((outcome) => outcome.kind === 'filtered' && outcome.filter === '调拨入')).toHaveLength(60);
    for (const event of events) {
      expect(event.crossOrg).toBe(event.outStockOrg !== event.inStockOrg);
      expect(event.lines.every((line: any) => line.sourceWarehouse !== line.destWarehouse)).toBe(true);
    }
    expect(events.some((event) => event.crossOrg)).toBe(true);
    expect(events.some((event) => !event.crossOrg)).toBe(true);
  });

  it('stock-take: positive differences are gains, negative are losses, quantities positive', async () => {
    const events = mappedValues(await mapGenerated('stock_count'), 'jushuitan/stock_count');
    const lines = events.flatMap((event) => event.lines);
    expect(lines.some((line: any) => line.direction === 'GAIN')).toBe(true);
    expect(lines.some((line: any) => line.direction === 'LOSS')).toBe(true);
    expect(lines.every((line: any) => line.quantity.isPositive() && !line.quantity.isZero())).toBe(true);
  });

  it('sales returns: one per 实际收货 dated on its 入库日期, lines with 实退数量 0 never reach Kingdee, returns left with none filtered', async () => {
    const outcomes = await mapGenerated('aftersale_received', 200);
    const events = mappedValues(outcomes, 'jushuitan/sales_return');
    expect(events.every((event) => event.lines.every((line: any) => line.quantity.gt(0)))).toBe(true);
    expect(outcomes.some((outcome) => outcome.kind === 'filtered' && outcome.filter === '实退数量大于0')).toBe(true);
    for (const event of events.slice(0, 20)) {
      const index = Number(event.billNumber) - 40_000_000;
      const received = generateDocument(7, 'aftersale_received', index, { modifiedMs: Date.parse('2024-03-01T00:00:00Z') + index * 1000, status: 'Confirmed', ts: undefined, overrides: {} });
      expect(event.date).toBe(String(received.io_date).slice(0, 10));
    }
  });
});
