import { loadCanonicalSchema } from '@yecai/contracts';
import { loadRules, compileRule } from './load-rules';
import { MappingEngine, type MappingOutcome } from './engine';
import { jstReturn, jstSalesOutStock, memoryLookup, rawInput } from './test-fixtures';

const NOW = Date.parse('2024-02-01T00:00:00Z');
const engine = (lookup = memoryLookup()) => new MappingEngine(loadRules(), { lookup, now: () => NOW });
const only = (outcomes: MappingOutcome[]) => {
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
};
const mapped = (outcome: MappingOutcome) => {
  if (outcome.kind !== 'mapped') throw new Error(`expected mapped, got ${JSON.stringify(outcome)}`);
  return outcome.value as Record<string, any>;
};
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('flows.md §2: JST sales out-stock → Kingdee 销售出库单', () => {
  it('carries exactly the values the table prescribes', async () => {
    const outcome = only(await engine().map(rawInput('sales_outstock', jstSalesOutStock())));
    const event = mapped(outcome);
    expect(outcome).toMatchObject({ targetDocumentType: 'sales_outstock', key: 'jushuitan/main/sales_outstock/20240001' });
    expect(plain({ ...event, lines: undefined, mapping: undefined })).toEqual({
      source: {
        sourceSystem: 'jushuitan', account: 'main', documentType: 'sales_outstock', sourceId: '20240001',
        sourceModifiedAt: Date.parse('2024-01-01T02:05:00Z'), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        rawTopic: 'yecai.raw.jushuitan.sales_outstock', rawPartition: 0, rawOffset: 7,
      },
      billNumber: '20240001', // 单据编号 ← 发货单号 io_id
      date: '2024-01-01', // 日期 ← 发货日期
      saleOrg: '100', // fixed
      deliveryOrg: '101', // from the shop
      customer: 'C10086', // from the shop
      currency: 'RMB',
      currencyNumber: 'PRE001',
      owner: '100',
      logisticsNumber: 'SF1234567890', // 物流单号 ← 快递单号
      onlineOrderNumber: 'T2024010100001', // 线上订单号
      remark: '聚水潭T2024010100001', // 聚水潭 + platform order number
      settleOrg: null, // not in the table: Kingdee defaults it to the sale org
      exchangeRate: null,
    });
    expect(event.mapping).toMatchObject({ flow: 'jushuitan/sales_outstock', ruleVersion: expect.stringMatching(/^1\+[0-9a-f]{8}$/), mappedAt: NOW });
    expect(event.lines.map((line: any) => [line.material, line.unit, line.quantity.toString(), line.taxInclusivePrice.toString(), line.batch, line.warehouse, line.isGift])).toEqual([
      ['M-A001-RED-M', 'Pcs', '2', '59.5', '0', 'CK01', false],
      ['M-G002-BLK', 'Pcs', '1', '0.1', null, 'CK01', false],
      ['M-X003', 'Box', '3', '10', null, 'CK01', true],
    ]);
  });

  it('does not sync out-stocks that are not shipped yet, and says which filter', async () => {
    expect(only(await engine().map(rawInput('sales_outstock', jstSalesOutStock({ status: 'WaitConfirm' }))))).toEqual({
      kind: 'filtered', flow: 'jushuitan/sales_outstock', filter: '已出库',
    });
  });

  it('parks a document whose warehouse has no Kingdee mapping, naming it in Chinese and English', async () => {
    const outcome = only(await engine().map(rawInput('sales_outstock', jstSalesOutStock({ wms_co_id: 'WH-09' }))));
    expect(outcome).toMatchObject({
      kind: 'parked', code: 'MISSING_MASTER_DATA', level: 1,
      reasonZh: '仓库 WH-09 没有金蝶仓库映射 (warehouse WH-09 has no Kingdee warehouse mapping)',
      missing: [{ entity: 'warehouse', key: 'jushuitan/WH-09' }],
    });
  });

  it('lists every missing mapping at once (warehouse and two SKUs)', async () => {
    const doc = jstSalesOutStock({ wms_co_id: 'WH-09' });
    (doc.items as any[])[0].sku_id = 'NEW-1';
    (doc.items as any[])[1].sku_id = 'NEW-2';
    const outcome = only(await engine().map(rawInput('sales_outstock', doc)));
    expect(outcome.kind === 'parked' && outcome.missing).toEqual([
      { entity: 'warehouse', key: 'jushuitan/WH-09' },
      { entity: 'sku', key: 'jushuitan/NEW-1' },
      { entity: 'sku', key: 'jushuitan/NEW-2' },
    ]);
  });

  it('maps once the missing mapping is added', async () => {
    const lookup = memoryLookup(structuredClone(memoryLookup().data));
    const raw = rawInput('sales_outstock', jstSalesOutStock({ wms_co_id: 'WH-09' }));
    expect(only(await engine(lookup).map(raw)).kind).toBe('parked');
    lookup.data.warehouse!['jushuitan/WH-09'] = { kingdeeStockNumber: 'CK09', stockOrg: '100' };
    expect(mapped(only(await engine(lookup).map(raw))).lines[0].warehouse).toBe('CK09');
  });

  it('parks a malformed payload and an unknown document type, naming why', async () => {
    expect(only(await engine().map(rawInput('sales_outstock', '{"io_id": 1,')))).toMatchObject({
      kind: 'parked', code: 'MALFORMED_PAYLOAD', level: 1, reasonZh: expect.stringContaining('原始单据不是合法的 JSON'),
    });
    expect(only(await engine().map(rawInput('mystery_doc', { io_id: 1 })))).toMatchObject({
      kind: 'parked', code: 'UNKNOWN_DOCUMENT_TYPE', reasonEn: 'no mapping rule reads jushuitan/mystery_doc',
    });
  });

  it('parks when a required value is missing, naming rule, field and label', async () => {
    const outcome = only(await engine().map(rawInput('sales_outstock', jstSalesOutStock({ io_date: undefined }))));
    expect(outcome).toMatchObject({ kind: 'parked', code: 'REQUIRED_VALUE_MISSING', level: 1, field: 'date' });
    expect(outcome.kind === 'parked' && outcome.reasonZh).toBe(
      '规则 jushuitan/sales_outstock 字段 date（日期）没有取到值 (rule jushuitan/sales_outstock: field date (日期) is required but the rule gave no value)',
    );
  });

  it('parks a price with more decimals than the canonical scale instead of rounding money', async () => {
    const doc = jstSalesOutStock();
    (doc.items as any[])[0].sale_price = 1.0000001;
    const outcome = only(await engine().map(rawInput('sales_outstock', doc)));
    expect(outcome).toMatchObject({ kind: 'parked', code: 'INVALID_VALUE', field: 'lines[0].taxInclusivePrice' });
  });
});

describe('flows.md §2: JST return → Kingdee 销售退货单', () => {
  it('carries exactly the values the table prescribes, 日期 = 入库日期, only lines with 实退数量 > 0, A → 0 and G → empty', async () => {
    const event = mapped(only(await engine().map(rawInput('aftersale_received', jstReturn()))));
    expect(plain({ ...event, source: undefined, mapping: undefined, lines: undefined })).toEqual({
      billNumber: '40000001', date: '2024-01-06', saleOrg: '100', stockOrg: '100', settleOrg: '100', owner: '100',
      currency: 'RMB', currencyNumber: 'PRE001', customer: 'C10086', onlineOrderNumber: 'T2024010100001', remark: '聚水潭T2024010100001',
      exchangeRate: null, returnReason: null,
    });
    expect(event.lines.map((line: any) => [line.lineId, line.material, line.unit, line.quantity.toString(), line.taxInclusivePrice.toString(), line.batch])).toEqual([
      ['11', 'M-A001-RED-M', 'Pcs', '1', '59.5', '0'],
      ['13', 'M-X003', 'Box', '1', '10', null],
    ]);
    const gOnly = jstReturn({ items: [{ ioi_id: 21, sku_id: 'G002-BLK', i_id: 'G002', qty: 1, sale_price: 5 }] });
    expect(mapped(only(await engine().map(rawInput('aftersale_received', gOnly)))).lines[0].batch).toBeNull();
  });

  it('filters (counts, does not park) a receipt whose quantities are all 0, and one not yet confirmed', async () => {
    const zero = jstReturn({ items: [{ ioi_id: 11, sku_id: 'A001-RED-M', i_id: 'A001', qty: 0, sale_price: 59.5 }] });
    expect(only(await engine().map(rawInput('aftersale_received', zero)))).toEqual({ kind: 'filtered', flow: 'jushuitan/sales_return', filter: '实退数量大于0' });
    expect(only(await engine().map(rawInput('aftersale_received', jstReturn({ status: 'WaitConfirm' }))))).toMatchObject({ kind: 'filtered', filter: '已入库' });
  });

  it('reads the 实际收货, not the 售后单: a return not yet received into stock has nothing to sync', () => {
    const sources = engine().sources().filter((source) => source.system === 'jushuitan');
    expect(sources).toContainEqual(expect.objectContaining({ documentType: 'aftersale_received' }));
    expect(sources).not.toContainEqual(expect.objectContaining({ documentType: 'aftersale' }));
  });
});

describe('every JST rule', () => {
  it('produces events the canonical Avro schema accepts (unmapped optional fields null, booleans false)', async () => {
    const event = mapped(only(await engine().map(rawInput('aftersale_received', jstReturn()))));
    expect(event.lines[0].isGift).toBe(false);
    expect(event.exchangeRate).toBeNull();
    expect(loadCanonicalSchema('sales_return').type.isValid(event)).toBe(true);
    const outStock = mapped(only(await engine().map(rawInput('sales_outstock', jstSalesOutStock()))));
    expect(loadCanonicalSchema('sales_outstock').type.isValid(outStock)).toBe(true);
  });
});

describe('rule files', () => {
  const base = `flow: t/x\nversion: 1\ntitle: t\nsource: { system: jushuitan, documentType: x }\ntarget: { documentType: other_outstock, kingdeeForm: STK_MisDelivery }\n`;

  it('refuses a rule that leaves a required canonical field unmapped, naming it', () => {
    expect(() => compileRule(`${base}fields:\n  billNumber: { label: 单据编号, from: io_id }\n`, 'x.yaml')).toThrow(/required canonical field "date" has no rule/);
  });

  it('refuses a field spec with both a fixed value and an expression', () => {
    expect(() => compileRule(`${base}fields:\n  billNumber: { label: a, value: "1", expr: io_id }\n`, 'x.yaml')).toThrow(/x\.yaml.*fields\.billNumber.*exactly one of value, from, expr/);
  });

  it('refuses an invalid JSONata expression at load time, naming the file and field', () => {
    expect(() => compileRule(`${base}fields:\n  billNumber: { label: a, expr: 'io_id &' }\n`, 'x.yaml')).toThrow(/x\.yaml\.fields\.billNumber\.expr: invalid JSONata/);
  });

  it('parks (level 1) when an expression fails at run time, naming rule and field', async () => {
    const rule = compileRule(
      `${base}fields:\n  billNumber: { label: 单据编号, expr: '$number("abc") ' }\n  date: { label: 日期, from: io_date }\n  stockOrg: { label: 库存组织, value: "100" }\n  owner: { label: 货主, value: "100" }\nlines:\n  from: items\n  fields:\n    lineId: { label: l, from: ioi_id }\n    sku: { label: s, from: sku_id }\n    material: { label: m, from: sku_id }\n    unit: { label: u, value: Pcs }\n    quantity: { label: q, expr: '$undefinedFunction(qty)' }\n`,
      'x.yaml',
    );
    const outcomes = await new MappingEngine([rule], { lookup: memoryLookup() }).map(rawInput('x', { io_id: 1, io_date: '2024-01-01', items: [{ ioi_id: 1, sku_id: 'S', qty: 1 }] }));
    expect(outcomes[0]).toMatchObject({ kind: 'parked', code: 'EXPRESSION_FAILED', level: 1, field: 'lines[0].quantity' });
    expect(outcomes[0]!.kind === 'parked' && outcomes[0]!.reasonZh).toMatch(/^规则 t\/x 的 lines\[0\]\.quantity 表达式出错：.+ \(rule t\/x: expression for lines\[0\]\.quantity failed: /);
  });
});

describe('expression fast paths give the same results as JSONata', () => {
  const jsonataLib = require('jsonata') as (text: string) => { evaluate: (input: unknown, bindings?: Record<string, unknown>) => Promise<unknown> };
  const { compileRule: compile } = require('./load-rules') as typeof import('./load-rules');
  it.each([
    ['$shop.deliveryOrg', {}, { shop: { deliveryOrg: '101' } }],
    ['$shop.deliveryOrg', {}, { shop: null }],
    ['$string(shop_id)', { shop_id: 10086 }, {}],
    ['$string(shop_id)', { shop_id: 'S-1' }, {}],
    ['$string(shop_id)', {}, {}],
    ['sku_id', { sku_id: 'A001' }, {}],
    ['status = "Confirmed"', { status: 'Confirmed' }, {}],
    ['status = "Confirmed"', { status: 'WaitConfirm' }, {}],
    ['status = "Confirmed"', {}, {}],
  ])('%s on %j', async (text, input, bindings) => {
    const rule = compile(
      `flow: t/x\nversion: 1\ntitle: t\nsource: { system: jushuitan, documentType: x }\ntarget: { documentType: other_outstock, kingdeeForm: F }\nfields:\n  billNumber: { label: a, expr: '${text}' }\n  date: { label: d, value: "2024-01-01" }\n  stockOrg: { label: s, value: "1" }\n  owner: { label: o, value: "1" }\nlines:\n  from: items\n  fields:\n    lineId: { label: l, value: "1" }\n    sku: { label: s, value: "1" }\n    material: { label: m, value: "1" }\n    unit: { label: u, value: "1" }\n    quantity: { label: q, value: 1 }\n`,
      'x.yaml',
    );
    const fast = rule.header.fields[0]!.expression!;
    expect(fast).not.toHaveProperty('ast'); // the fast path, not the interpreter
    expect(await fast.evaluate(input, bindings)).toEqual(await jsonataLib(text).evaluate(input, bindings));
  });
});

describe('master data served synchronously from the cache', () => {
  /** The §2 master data behind a cache: getCached answers once `get` has read a key (as CachedMasterDataLookup does). */
  const cachingLookup = () => {
    const backing = memoryLookup();
    const seen = new Set<string>();
    return {
      reads: 0,
      async get(entity: string, key: string) {
        this.reads += 1;
        seen.add(`${entity}/${key}`);
        return backing.get(entity as never, key);
      },
      getCached(entity: string, key: string) {
        return seen.has(`${entity}/${key}`) ? (backing.data[entity]?.[key] ?? null) : undefined;
      },
    };
  };
  const documents = [
    rawInput('sales_outstock', jstSalesOutStock()),
    rawInput('sales_outstock', jstSalesOutStock({ wms_co_id: 'WH-09' })), // parks: no warehouse mapping
    rawInput('sales_outstock', jstSalesOutStock({ status: 'WaitConfirm' })), // filtered
    rawInput('aftersale_received', jstReturn()),
    rawInput('aftersale_received', jstReturn({ items: [{ ioi_id: 11, sku_id: 'Z9', qty: 1, sale_price: 1, sale_amount: 1 }] })), // parks: no SKU
  ];

  it('gives the same outcomes as reading every record, and maps without a promise once everything is cached', async () => {
    const lookup = cachingLookup();
    const cached = new MappingEngine(loadRules(), { lookup: lookup as never, now: () => NOW });
    const reference = engine();
    for (const document of documents) {
      const expected = plain(await reference.map(document));
      expect(plain(await cached.mapDocument(document))).toEqual(expected); // first time: records read through get
      const again = cached.mapDocument(document);
      expect(again).not.toBeInstanceOf(Promise);
      expect(plain(again)).toEqual(expected);
    }
    const reads = lookup.reads;
    for (const document of documents) cached.mapDocument(document);
    expect(lookup.reads).toBe(reads);
  });

  it('evaluates expressions without a compiled form through JSONata, also when their failure parks the document', async () => {
    const base = `flow: t/x\nversion: 1\ntitle: t\nsource: { system: jushuitan, documentType: x }\ntarget: { documentType: other_outstock, kingdeeForm: STK_MisDelivery }\n`;
    const lines = `lines:\n  from: items\n  lookups:\n    sku: { entity: sku, key: sku_id }\n  fields:\n    lineId: { label: l, from: ioi_id }\n    sku: { label: s, from: sku_id }\n    material: { label: m, expr: $sku.materialNumber }\n    unit: { label: u, expr: '$uppercase($sku.unit)' }\n    quantity: { label: q, expr: '$sum([qty, 1])' }\n`;
    const header = (billNumber: string) => `fields:\n  billNumber: { label: 单据编号, expr: '${billNumber}' }\n  date: { label: 日期, from: io_date }\n  stockOrg: { label: 库存组织, value: "100" }\n  owner: { label: 货主, value: "100" }\n`;
    const document = rawInput('x', { io_id: 1, io_date: '2024-01-01', items: [{ ioi_id: 1, sku_id: 'A001-RED-M', qty: 1 }, { ioi_id: 2, sku_id: 'X003', qty: 2 }] });
    const lookup = cachingLookup();
    const good = new MappingEngine([compileRule(`${base}${header('$join(["B", $string(io_id)], "-")')}${lines}`, 'x.yaml')], { lookup: lookup as never, now: () => NOW });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const event = mapped(only(await good.mapDocument(document)));
      expect(event.billNumber).toBe('B-1');
      expect(event.lines.map((line: Record<string, unknown>) => [line.material, line.unit, String(line.quantity)])).toEqual([
        ['M-A001-RED-M', 'PCS', '2'],
        ['M-X003', 'BOX', '3'],
      ]);
    }
    const failing = new MappingEngine([compileRule(`${base}${header('$undefinedFunction(io_id)')}${lines}`, 'x.yaml')], { lookup: lookup as never, now: () => NOW });
    expect(only(await failing.mapDocument(document))).toMatchObject({ kind: 'parked', code: 'EXPRESSION_FAILED', field: 'billNumber' });
  });
});
