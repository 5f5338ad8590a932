import { KingdeeClient } from '@yecai/kingdee';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { FlowConfigSchema } from './config';
import { SUPPORTED_DOCUMENT_TYPES, convertDocument, renderBillNumber } from './convert';
import { canonical, kingdeeConfig, startEmulator } from '../test/fixtures';

describe('canonical → Kingdee Save model', () => {
  let emulator: KingdeeEmulator;
  let client: KingdeeClient;
  beforeAll(async () => {
    emulator = await startEmulator();
    client = KingdeeClient.fromConfig(kingdeeConfig(emulator));
  });
  afterAll(() => emulator.close());

  it.each(SUPPORTED_DOCUMENT_TYPES)('%s: every bill it becomes is accepted by Kingdee with the deterministic number', async (documentType) => {
    const flow = FlowConfigSchema.parse({ documentType, billNumberPattern: 'JST-{sourceId}' });
    const drafts = convertDocument(documentType, canonical(documentType, `C-${documentType}`), flow);
    for (const draft of drafts) {
      expect(draft.billNo).toBe(`JST-C-${documentType}`);
      const [outcome] = await client.batchSave(draft.formId, [draft.model]);
      expect(outcome).toMatchObject({ status: 'saved', number: `JST-C-${documentType}` });
      // A receipt names audited receivables (the fixture's receipt settles JST-C-receivable): audit it for the next case.
      if (documentType === 'receivable') for (const op of ['Submit', 'Audit'] as const) await client.operateEach(op, draft.formId, { numbers: [draft.billNo] });
    }
    const forms = drafts.map((draft) => draft.formId);
    const rows = await client.executeBillQuery({ formId: forms[0]!, fieldKeys: ['FBillNo'], filter: `FBillNo='JST-C-${documentType}'` });
    expect(rows).toHaveLength(1);
  });

  it('writes quantities and prices as exact decimals, never floats', () => {
    const flow = FlowConfigSchema.parse({ documentType: 'sales_outstock' });
    const [draft] = convertDocument('sales_outstock', canonical('sales_outstock', 'DEC-1', { lines: [{ qty: '0.1', price: '0.30000000000000004' }] }), flow);
    const entry = (draft!.model.FEntity as Record<string, unknown>[])[0]!;
    expect(String(entry.FRealQty)).toBe('0.1');
    expect(String(entry.FTaxPrice)).toBe('0.30000000000000004');
  });

  it('splits a stock count into a gain bill and a loss bill with the same number', () => {
    const flow = FlowConfigSchema.parse({ documentType: 'stock_count' });
    const drafts = convertDocument('stock_count', canonical('stock_count', 'PD-1'), flow);
    expect(drafts.map((draft) => draft.formId)).toEqual(['STK_StockCountGain', 'STK_StockCountLoss']);
    expect(new Set(drafts.map((draft) => draft.billNo))).toEqual(new Set(['PD-1']));
  });

  it('names the field when the canonical event is unusable', () => {
    const flow = FlowConfigSchema.parse({ documentType: 'sales_outstock' });
    const broken = { ...canonical('sales_outstock', 'BAD-1'), customer: '' };
    expect(() => convertDocument('sales_outstock', broken, flow)).toThrow(/customer: required text is missing/);
    const noQty = canonical('sales_outstock', 'BAD-2');
    (noQty.lines as Record<string, unknown>[])[0]!.quantity = 'ten';
    expect(() => convertDocument('sales_outstock', noQty, flow)).toThrow(/lines\.0\.quantity/);
  });

  it('renders bill-number patterns and refuses numbers Kingdee cannot hold', () => {
    const document = canonical('sales_outstock', 'IO-77');
    expect(renderBillNumber('{sourceSystem}-{account}-{sourceId}', document)).toBe('jushuitan-demo-IO-77');
    expect(() => renderBillNumber('{nope}', document)).toThrow(/unknown placeholder \{nope\}/);
    expect(() => renderBillNumber('单号{sourceId}', document)).toThrow(/billNumber/);
  });
});
