import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { DOCUMENT_MAPS, runDocumentMap } from '../src';
import { clientFor, startEmulator } from './helpers';

/** Adding a form = registry entry + form map + emulator support: SAL_SaleOrder end to end on the emulator. */
let emulator: KingdeeEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

const order = (sourceId: string) => ({
  source: { sourceSystem: 'lingxing', account: 'us', documentType: 'order', sourceId, sourceModifiedAt: 1, contentHash: 'h' },
  billNumber: sourceId,
  date: '2026-12-01',
  saleOrg: '100',
  customer: 'TM-YS01',
  marketplace: null,
  platformOrderNumber: `TB-${sourceId}`,
  status: 'OPEN',
  currency: 'RMB',
  currencyNumber: 'PRE001',
  exchangeRate: null,
  remark: '跨境订单',
  lines: [{ lineId: '1', sku: 'A1001-BLK', material: 'A1001-BLK', unit: 'Pcs', quantity: '3', taxInclusivePrice: '113', amount: '339.00', taxRate: '13', taxAmount: null }],
});
const options = { billNumberPattern: 'LX-{billNumber}', customFields: { logisticsNumber: 'F_YC_LogisticsNo', onlineOrderNumber: 'F_YC_OnlineOrderNo' } };

describe('SAL_SaleOrder on the Kingdee emulator', () => {
  it('saves the mapped model under its deterministic number, refuses it twice, and answers queries with derived amounts', async () => {
    const client = clientFor(emulator);
    const [draft] = runDocumentMap(DOCUMENT_MAPS.get('sales_order')!, order('SO-1'), options);
    const [saved] = await client.batchSave('SAL_SaleOrder', [draft!.model]);
    expect(saved).toMatchObject({ status: 'saved', number: 'LX-SO-1' });
    const [again] = await client.batchSave('SAL_SaleOrder', [draft!.model]);
    expect(again).toMatchObject({ status: 'failed' });

    const rows = await client.executeBillQuery({
      formId: 'SAL_SaleOrder',
      fieldKeys: ['FBillNo', 'FBillTypeID', 'FCustId.FNumber', 'FSettleCurrId.FNumber', 'F_YC_OnlineOrderNo', 'FQty', 'FPrice', 'FAllAmount'],
      filter: "FBillNo='LX-SO-1'",
    });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect([row.FBillNo, row.FBillTypeID, row['FCustId.FNumber'], row['FSettleCurrId.FNumber'], row.F_YC_OnlineOrderNo]).toEqual(['LX-SO-1', 'XSDD01_SYS', 'TM-YS01', 'PRE001', 'TB-SO-1']);
    // 价税合计 = 3 × 113 = 339.00, 单价 = 113 / 1.13 = 100: Kingdee derives them from 含税单价 and 税率.
    expect([row.FQty, row.FPrice, row.FAllAmount].map(String)).toEqual(['3', '100', '339']);
  });

  it('numbers an order saved without FBillNo with Kingdee\'s own XSDD sequence', async () => {
    const client = clientFor(emulator);
    const [draft] = runDocumentMap(DOCUMENT_MAPS.get('sales_order')!, order('SO-2'), options);
    const { FBillNo: _dropped, ...model } = draft!.model;
    const [saved] = await client.batchSave('SAL_SaleOrder', [model]);
    expect(saved).toMatchObject({ status: 'saved' });
    expect((saved as { number: string }).number).toMatch(/^XSDD\d{6}$/);
  });
});
