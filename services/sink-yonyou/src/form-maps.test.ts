/** The YonSuite form maps over sink-kingdee's canonical fixtures: each type saves on the emulator; bad events name the field. */
import { EMULATOR_CREDENTIALS, startYonyouEmulator, type YonyouEmulator } from '@yecai/emulator-yonyou';
import { ValidationError } from '@yecai/common';
import { isMasterDataType } from '@yecai/sink-kit';
import { YonyouClient } from '@yecai/yonyou';
import { canonical } from '@yecai/sink-kingdee/test/fixtures';
import { FlowConfigSchema, parseSinkConfig } from './config';
import { FORM_OF, YONYOU_DOCUMENT_TYPES, yonyouModel } from './form-maps';

process.env.FORM_MAP_TEST_SECRET = EMULATOR_CREDENTIALS.appSecret;
/** The emulator's codes for the types with no standard 交易类型. */
const TENANT_BUSTYPES: Record<string, string> = {
  transfer: 'A33001',
  stock_count: 'A29001',
  sales_return: 'XSTH01',
  purchase_return: 'CGTH01',
};
const flowOf = (documentType: string) =>
  FlowConfigSchema.parse({ documentType, currencyCodes: { RMB: 'CNY' }, bustype: TENANT_BUSTYPES[documentType] });

describe('YonSuite form maps', () => {
  let emulator: YonyouEmulator;
  beforeAll(async () => {
    YonyouClient.clearGatewayCache();
    emulator = await startYonyouEmulator();
  });
  afterAll(() => emulator.close());

  // The EFI 应收单 and 收款单 and the 凭证 have their own keys and fields (receivable, receipt, voucher-map tests);
  // master data: master-data-map.test.ts.
  it.each(
    YONYOU_DOCUMENT_TYPES.filter(
      (type) => type !== 'receivable' && type !== 'receipt' && type !== 'fee_settlement' && !isMasterDataType(type),
    ),
  )(
    '%s: the model saves on the emulator with its code, lines and trace fields',
    async (documentType) => {
      const client = YonyouClient.fromConfig({
        name: 'maps',
        tenantId: EMULATOR_CREDENTIALS.tenantId,
        appKey: EMULATOR_CREDENTIALS.appKey,
        appSecret: 'env:FORM_MAP_TEST_SECRET',
        lookupUrl: emulator.url,
        limits: { callsPerMinute: 600 },
      });
      const event = canonical(documentType, `FM-${documentType}`);
      const form = FORM_OF[documentType];
      const model = yonyouModel(documentType, event, flowOf(documentType), `FM-${documentType}`);
      const id = form.mdd
        ? (await client.save(`${form.base}/${form.save}`, model, `fm-${documentType}`.slice(0, 32))).id
        : String((await client.write(`${form.base}/${form.save}`, { data: model })).id);
      const document = await client.detail(`${form.base}/detail`, id);
      expect(document).toMatchObject({
        code: `FM-${documentType}`,
        out_sys_code: `FM-${documentType}`,
        out_sys_id: `FM-${documentType}`,
        memo: `聚水潭 FM-${documentType}`,
      });
      expect(document.bustype ?? document.businesstype ?? document.transactionTypeId).toBe(
        form.defaultBustype ?? TENANT_BUSTYPES[documentType],
      );
      const lines = document[form.lines] as Record<string, unknown>[];
      if (documentType === 'sales_return') {
        // Sales-domain names; 2 × 113.00 tax-inclusive = 226.00, and the header total equals the lines'.
        expect(lines.map((line) => [line.productId, line.stockId, line.qty, line.oriSum, line.batchno])).toEqual([
          ['A1001-BLK', 'CK001', '2', '226.00', '0'],
        ]);
        expect([document.agentId, document.salesOrgId, document.payMoney]).toEqual(['TM-YS01', '100', '226.00']);
        return;
      }
      if (documentType === 'stock_count') {
        // GAIN of A1001-BLK lot 0, LOSS of G2001 without a lot: signed differences on one document.
        expect(lines.map((line) => [line.product, line.profitlossqty, line.batchno ?? null])).toEqual([
          ['A1001-BLK', '2', '0'],
          ['G2001', '-2', null],
        ]);
        return;
      }
      // A purchase return is a red 采购入库: its quantities negative by default (purchase-return.test.ts).
      const qty = documentType === 'purchase_return' ? '-2' : '2';
      expect(lines.map((line) => [line.product, line.qty, line.batchno])).toEqual([['A1001-BLK', qty, '0']]);
      if (documentType === 'transfer')
        expect([document.bizType, document.outwarehouse, document.inwarehouse]).toEqual(['2', 'CK001', 'CK002']);
      else expect(lines[0]!.warehouse).toBe('CK001');
    },
  );

  it('a sales return: 价税合计 from the event when given, else quantity × price to the cent; a return with neither is refused naming the price', () => {
    const event = canonical('sales_return', 'FM-SR2', { lines: [{ qty: '3', price: '33.335' }, { qty: '1' }] });
    (event.lines as Record<string, unknown>[])[1]!.amount = '10.5';
    const model = yonyouModel('sales_return', event, flowOf('sales_return'), 'FM-SR2');
    const details = model.saleReturnDetails as Record<string, unknown>[];
    expect([details.map((detail) => detail.oriSum), model.payMoney]).toEqual([['100.01', '10.50'], '110.51']);
    (event.lines as Record<string, unknown>[])[0]!.taxInclusivePrice = null;
    expect(() => yonyouModel('sales_return', event, flowOf('sales_return'), 'FM-SR2')).toThrow(
      expect.objectContaining({ field: 'lines[0].taxInclusivePrice' }),
    );
  });

  it('the emulator refuses a sales return whose payMoney is not the sum of its lines (999, naming both)', async () => {
    const client = YonyouClient.fromConfig({
      name: 'maps',
      tenantId: EMULATOR_CREDENTIALS.tenantId,
      appKey: EMULATOR_CREDENTIALS.appKey,
      appSecret: 'env:FORM_MAP_TEST_SECRET',
      lookupUrl: emulator.url,
      limits: { callsPerMinute: 600 },
    });
    const model = yonyouModel('sales_return', canonical('sales_return', 'FM-SR3'), flowOf('sales_return'), 'FM-SR3');
    await expect(
      client.save('/yonbip/sd/vouchersalereturn/singleSave', { ...model, payMoney: '226.01' }, 'fm-sr3'),
    ).rejects.toThrow(/payMoney\[226.01\].*oriSum合计\[226\]/);
  });

  it('a sales return stays saved (开立): no batch audit for the sales-domain document, whatever the flow says', () => {
    expect(FORM_OF.sales_return.batchActions).toBe(false);
  });

  it('a transfer whose lines move between different warehouse pairs is refused naming the field (one pair per 调出单)', () => {
    const event = canonical('transfer', 'FM-TR2', { lines: [{}, {}] });
    (event.lines as Record<string, unknown>[])[1]!.destWarehouse = 'CK001';
    expect(() => yonyouModel('transfer', event, flowOf('transfer'), 'FM-TR2')).toThrow(
      expect.objectContaining({ field: 'lines[].sourceWarehouse' }),
    );
  });

  it("a type with no standard 交易类型 needs the flow to name the tenant's code", () => {
    expect(() => parseSinkConfig({ yonyou: {}, flows: [{ documentType: 'stock_count' }] })).toThrow(
      /flows\.0\.bustype/,
    );
  });

  it('an event without a required value is refused before any call, naming the canonical field', () => {
    const event = canonical('sales_outstock', 'FM-BAD', { lines: [{ warehouse: null }] });
    const refusal = (() => {
      try {
        yonyouModel('sales_outstock', event, flowOf('sales_outstock'), 'FM-BAD');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ValidationError);
    expect(refusal).toMatchObject({ field: 'lines[0].warehouse', level: 1 });
  });
});
