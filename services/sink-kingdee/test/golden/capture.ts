/**
 * Captures the Save models the sink produces for a fixed set of canonical documents — the sink fixtures with their
 * optional fields varied, master-data records, and a JST demo-world business day run through the mapping rules —
 * into save-models.json. Run once against the hand-written converter (before the declarative form maps replaced
 * it); golden.test.ts holds the form maps to exactly these models.
 *   npx tsx services/sink-kingdee/test/golden/capture.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDocument, type JstDocumentType } from '@yecai/emulator-jushuitan';
import { MappingEngine, loadRules } from '@yecai/mapping';
import { keyOf, type EntityName, type MasterDataLookup } from '@yecai/master-data';
import { demoWorld } from '@yecai/demo';
import { FlowConfigSchema } from '../../src/config';
import { draftsOf, type SinkDocumentType } from '../../src/master-data';
import { canonical } from '../fixtures';
import { GOLDEN_FILE, encodeModels, type GoldenCase } from './golden-format';

type Doc = Record<string, unknown>;
const cases: Omit<GoldenCase, 'drafts' | 'error'>[] = [];
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const add = (name: string, documentType: SinkDocumentType, document: Doc, flow: Record<string, unknown> = {}) =>
  cases.push({ name, documentType, flow: { documentType, ...flow }, document: json(document) });
const edit = (document: Doc, change: (document: Doc & { lines: Doc[]; products: Doc[] }) => void): Doc => {
  const copy = json(document) as Doc & { lines: Doc[]; products: Doc[] };
  change(copy);
  return copy;
};

function fixtureCases(): void {
  for (const type of ['sales_outstock', 'sales_return', 'purchase_instock', 'purchase_return', 'other_instock', 'other_outstock', 'transfer', 'stock_count', 'assembly'] as const) {
    add(`fixture ${type}`, type, canonical(type, `G-${type}`, { lines: [{}, { material: 'G2001', qty: '3.5', batch: null, price: '0.30000000000000004' }] }));
    add(`fixture ${type} pattern and bill type`, type, canonical(type, `P-${type}`), { billNumberPattern: 'JST-{sourceSystem}-{sourceId}', billType: 'CUSTOM01' });
    add(`fixture ${type} without owner or remark`, type, edit(canonical(type, `N-${type}`), (doc) => { delete doc.owner; doc.remark = null; }));
  }
  const so = canonical('sales_outstock', 'SO-VAR', { lines: [{}, { warehouse: null, batch: null }] });
  add('sales_outstock settle org, rate, gift, note, no custom values', 'sales_outstock', edit(so, (doc) => {
    Object.assign(doc, { settleOrg: '101', exchangeRate: '7.10000000', logisticsNumber: null, onlineOrderNumber: null });
    Object.assign(doc.lines[0]!, { isGift: true, note: '行备注', price: '100.000000', taxInclusivePrice: null, taxRate: null });
  }));
  add('sales_outstock custom field keys', 'sales_outstock', so, { customFields: { logisticsNumber: 'F_X_Logi', onlineOrderNumber: 'F_X_Online' } });
  add('sales_return reason, online order, rate', 'sales_return', edit(canonical('sales_return', 'SR-VAR'), (doc) => {
    Object.assign(doc, { returnReason: '质量问题', onlineOrderNumber: 'TB-9', exchangeRate: '1' });
    Object.assign(doc.lines[0]!, { isGift: true, warehouse: null });
  }));
  add('purchase_instock order number, net price, note', 'purchase_instock', edit(canonical('purchase_instock', 'PI-VAR'), (doc) => {
    Object.assign(doc, { purchaseOrderNumber: 'PO-77', exchangeRate: '6.5' });
    Object.assign(doc.lines[0]!, { note: '到货', price: '88.5', taxInclusivePrice: null, batch: null });
  }));
  add('purchase_return note, gift', 'purchase_return', edit(canonical('purchase_return', 'PR-VAR'), (doc) => {
    Object.assign(doc.lines[0]!, { note: '退', isGift: true, taxRate: null });
  }));
  add('other_instock supplier, department, cost, return direction', 'other_instock', edit(canonical('other_instock', 'OI-VAR'), (doc) => {
    Object.assign(doc, { supplier: 'VEN001', department: 'D01', stockDirection: 'RETURN' });
    Object.assign(doc.lines[0]!, { price: '12.5', amount: '25.00', note: '样品' });
  }));
  add('other_outstock no customer, department, note', 'other_outstock', edit(canonical('other_outstock', 'OO-VAR'), (doc) => {
    Object.assign(doc, { customer: null, department: 'D02' });
    Object.assign(doc.lines[0]!, { note: '领用', batch: null });
  }));
  add('transfer cross-org with dest batch', 'transfer', edit(canonical('transfer', 'TR-VAR', { lines: [{}, { batch: null }] }), (doc) => {
    Object.assign(doc, { crossOrg: true, inStockOrg: '101', inOwner: '101' });
    Object.assign(doc.lines[0]!, { destBatch: 'B2' });
  }));
  add('stock_count loss only, counted, note', 'stock_count', edit(canonical('stock_count', 'SC-VAR'), (doc) => {
    doc.lines = [doc.lines[1]!];
    Object.assign(doc.lines[0]!, { countedQuantity: '5', note: '盘点' });
  }));
  add('assembly disassembly with cost split', 'assembly', edit(canonical('assembly', 'AS-VAR'), (doc) => {
    doc.affairType = 'DISASSEMBLY';
    Object.assign((doc.products[0]!.components as Doc[])[0]!, { costProportion: '60' });
    Object.assign((doc.products[0]!.components as Doc[])[1]!, { costProportion: '40', warehouse: null });
  }));
  // Unusable events: the error (message and field) is part of the behaviour.
  add('error: empty customer', 'sales_outstock', { ...canonical('sales_outstock', 'E-1'), customer: '' });
  add('error: bad quantity', 'sales_outstock', edit(canonical('sales_outstock', 'E-2'), (doc) => { doc.lines[0]!.quantity = 'ten'; }));
  add('error: no lines', 'purchase_instock', { ...canonical('purchase_instock', 'E-3'), lines: [] });
  add('error: gift not boolean', 'sales_return', edit(canonical('sales_return', 'E-4'), (doc) => { doc.lines[0]!.isGift = 'yes'; }));
  add('error: transfer without crossOrg', 'transfer', edit(canonical('transfer', 'E-5'), (doc) => { delete doc.crossOrg; }));
  add('error: stock count without direction', 'stock_count', edit(canonical('stock_count', 'E-6'), (doc) => { for (const line of doc.lines) line.direction = 'NONE'; }));
  add('error: assembly without components', 'assembly', edit(canonical('assembly', 'E-7'), (doc) => { doc.products[0]!.components = []; }));
  add('error: bad bill number', 'other_outstock', canonical('other_outstock', '单号'));
  add('error: missing source', 'other_instock', { ...canonical('other_instock', 'E-8'), source: undefined });
}

function masterCases(): void {
  const material = { number: 'M-1', name: '物料', createOrg: '100', useOrgs: ['100', '101'], baseUnit: 'Pcs', batchManaged: true, soldOnline: false, specification: null, barcode: '690' };
  add('material', 'material', material);
  add('material with specification, no barcode', 'material', { ...material, specification: '黑色 XL', barcode: '', soldOnline: true, batchManaged: false });
  add('customer', 'customer', { number: 'C-1', name: '客户', createOrg: '100', useOrgs: [], tradingCurrencyNumber: 'PRE001', group: null });
  add('customer with group', 'customer', { number: 'C-2', name: '客户2', createOrg: '100', useOrgs: ['101'], tradingCurrencyNumber: 'PRE001', group: 'G01' });
  add('supplier', 'supplier', { number: 'S-1', name: '供应商', createOrg: '100', useOrgs: [], payCurrencyNumber: 'PRE001' });
  add('warehouse', 'warehouse', { number: 'GZ01', name: '广州仓', createOrg: '101', useOrgs: ['101'], allowNegativeStock: false, enabled: true });
  add('error: customer without currency', 'customer', { number: 'C-1', name: '客户', createOrg: '100', useOrgs: [] });
  add('error: warehouse flag not boolean', 'warehouse', { number: 'GZ01', name: '广州仓', createOrg: '101', useOrgs: [], allowNegativeStock: 'no' });
  add('error: material without name', 'material', { ...material, name: ' ' });
}

/** A JST demo-world business day through the mapping rules (as test/e2e/src/demo-world.test.ts does): a few documents per type. */
async function demoWorldCases(): Promise<void> {
  const world = demoWorld();
  const records = new Map<string, Record<string, unknown>>();
  for (const [entity, list] of Object.entries(world.masterData)) {
    for (const record of list as Record<string, unknown>[]) records.set(`${entity}\u0000${keyOf(entity as EntityName, record)}`, record);
  }
  const lookup: MasterDataLookup = { get: async (entity, key) => records.get(`${entity}\u0000${key}`) ?? null };
  const engine = new MappingEngine(loadRules(), { lookup });
  for (const type of Object.keys(world.businessDay(2000)) as JstDocumentType[]) {
    const taken = new Map<string, number>();
    for (let index = 0; index < 40; index += 1) {
      const document = generateDocument(1, type, index, { modifiedMs: Date.parse('2026-12-06T02:00:00Z') + index * 1000, ts: undefined, status: 'Confirmed', overrides: {} });
      const raw = { sourceSystem: 'jushuitan', account: 'demo', documentType: type, sourceId: String(index), sourceModifiedAt: 0, contentHash: 'x', payload: JSON.stringify(document), rawTopic: 't', rawPartition: 0, rawOffset: index };
      for (const outcome of await engine.map(raw)) {
        if (outcome.kind !== 'mapped') continue;
        const count = taken.get(outcome.targetDocumentType) ?? 0;
        if (count >= 4) continue;
        taken.set(outcome.targetDocumentType, count + 1);
        add(`demo world ${type} #${index} → ${outcome.targetDocumentType}`, outcome.targetDocumentType as SinkDocumentType, outcome.value as Doc, { billNumberPattern: 'JST-{billNumber}' });
      }
    }
  }
}

async function main(): Promise<void> {
  fixtureCases();
  masterCases();
  await demoWorldCases();
  const golden: GoldenCase[] = cases.map((entry) => {
    const flow = FlowConfigSchema.parse(entry.flow);
    try {
      return { ...entry, drafts: encodeModels(draftsOf(entry.documentType as SinkDocumentType, entry.document, flow)) };
    } catch (error) {
      return { ...entry, error: String((error as Error).message) };
    }
  });
  writeFileSync(GOLDEN_FILE, `${JSON.stringify(golden, null, 1)}\n`);
  process.stdout.write(`wrote ${golden.length} cases to ${join(GOLDEN_FILE)}\n`);
}

void main();
