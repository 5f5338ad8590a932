/**
 * The receivable's form map: canonical `receivable` → EFI 应收单 (`receivable/save`), field by field, exact decimals,
 * blue for an order and red (direction -1) for a refund; the model saves on the emulator, whose own rules check it.
 */
import { EMULATOR_CREDENTIALS, startYonyouEmulator, type YonyouEmulator } from '@yecai/emulator-yonyou';
import { YonyouClient } from '@yecai/yonyou';
import { canonical } from '@yecai/sink-kingdee/test/fixtures';
import { FlowConfigSchema, parseSinkConfig } from './config';
import { FORM_OF, yonyouModel } from './form-maps';

process.env.RECEIVABLE_TEST_SECRET = EMULATOR_CREDENTIALS.appSecret;

const flow = FlowConfigSchema.parse({
  documentType: 'receivable',
  bustype: 'ar_colsale',
  currencyCodes: { US$: 'USD' },
});

/** Two lines: 1.5 × 33.335 = 50.00 incl. 5.75 tax at 13 %, and a gift line of 0.000001 at 0.01 with no amount. */
function order(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const event = canonical('receivable', 'SO-1', { lines: [{ qty: '1.5', price: '33.335' }, { material: 'G2001' }] });
  const lines = event.lines as Record<string, unknown>[];
  Object.assign(lines[0]!, { taxRate: '13', amount: '50.00', taxAmount: '5.75' });
  Object.assign(lines[1]!, { quantity: '0.000001', taxInclusivePrice: '0.01', amount: '0', taxAmount: '0' });
  return { ...event, currency: 'US$', ...overrides };
}

function refund(): Record<string, unknown> {
  const event = order({ reversesBillNumber: 'SO-1', remark: '退款 113-SO-1' });
  const lines = event.lines as Record<string, unknown>[];
  Object.assign(lines[0]!, { quantity: '-0.5', amount: '-16.67', taxAmount: '-1.92' });
  return { ...event, lines: [lines[0]] };
}

describe('receivable → EFI 应收单', () => {
  it('posts to EFI receivable/save (MDD), keyed by extVouchCode, audited at the EFI audit path, Insert only', () => {
    expect(FORM_OF.receivable).toMatchObject({
      base: '/yonbip/EFI/receivable',
      save: 'save',
      lines: 'bodyItem',
      mdd: true,
      keyField: 'extVouchCode',
      statusPaths: { audit: 'audit', unaudit: 'unaudit' },
      insertOnly: true,
    });
  });

  it('a blue receivable: header and lines field by field, amounts as exact decimal text', () => {
    expect(yonyouModel('receivable', order(), flow, 'AR-SO-1')).toEqual({
      extSystemCode: 'yecai',
      extVouchCode: 'AR-SO-1',
      direction: '1',
      billDate: '2026-11-20 00:00:00',
      financeOrgCode: '100',
      orgCode: '100',
      bustypeCode: 'ar_colsale',
      objectType: '1',
      customerCode: 'TM-YS01',
      oriCurrencyCode: 'USD',
      exchangeRate: '7.1884',
      exchangeRateDate: '2026-11-20 00:00:00',
      remarks: '聚水潭 SO-1',
      oriTaxIncludedAmount: '50.00',
      _status: 'Insert',
      bodyItem: [
        {
          _status: 'Insert',
          materialCode: 'A1001-BLK',
          quantity: '1.5',
          oriTaxIncludedPrice: '33.335',
          taxRate: '13',
          oriTaxIncludedAmount: '50.00',
          oriTaxAmount: '5.75',
          oriTaxExcludedAmount: '44.25',
          orderNo: '113-SO-1',
          extRowNo: 'L1',
        },
        {
          _status: 'Insert',
          materialCode: 'G2001',
          quantity: '0.000001',
          oriTaxIncludedPrice: '0.01',
          taxRate: '0',
          oriTaxIncludedAmount: '0.00',
          oriTaxAmount: '0.00',
          oriTaxExcludedAmount: '0.00',
          orderNo: '113-SO-1',
          extRowNo: 'L2',
        },
      ],
    });
  });

  it('a refund (reversesBillNumber) is red: direction -1 with the negative amounts as given', () => {
    const model = yonyouModel('receivable', refund(), flow, 'AR-SO-1-R');
    expect([model.direction, model.oriTaxIncludedAmount, model.remarks]).toEqual(['-1', '-16.67', '退款 113-SO-1']);
    expect(model.bodyItem).toEqual([
      expect.objectContaining({
        quantity: '-0.5',
        oriTaxIncludedAmount: '-16.67',
        oriTaxAmount: '-1.92',
        oriTaxExcludedAmount: '-14.75',
      }),
    ]);
  });

  it('refuses a sign that contradicts the direction, naming the line amount', () => {
    const blue = order();
    (blue.lines as Record<string, unknown>[])[0]!.amount = '-50.00';
    expect(() => yonyouModel('receivable', blue, flow, 'X')).toThrow(
      expect.objectContaining({ field: 'lines[0].amount', level: 1 }),
    );
    const red = refund();
    (red.lines as Record<string, unknown>[])[0]!.amount = '16.67';
    expect(() => yonyouModel('receivable', red, flow, 'X')).toThrow(/红字应收单金额不能为正/);
    const noTax = order();
    (noTax.lines as Record<string, unknown>[])[1]!.taxAmount = null;
    expect(() => yonyouModel('receivable', noTax, flow, 'X')).toThrow(
      expect.objectContaining({ field: 'lines[1].taxAmount' }),
    );
  });

  it('a flow must name the tenant 应收 交易类型 and cannot reverse_and_repost (EFI saves are Insert only)', () => {
    expect(() => parseSinkConfig({ yonyou: {}, flows: [{ documentType: 'receivable' }] })).toThrow(/flows\.0\.bustype/);
    expect(() =>
      parseSinkConfig({
        yonyou: {},
        flows: [{ documentType: 'receivable', bustype: 'ar_colsale', onModified: 'reverse_and_repost' }],
      }),
    ).toThrow(/flows\.0\.onModified/);
  });

  describe('on the emulator', () => {
    let emulator: YonyouEmulator;
    let client: YonyouClient;
    beforeAll(async () => {
      YonyouClient.clearGatewayCache();
      emulator = await startYonyouEmulator();
      client = YonyouClient.fromConfig({
        name: 'receivables',
        tenantId: EMULATOR_CREDENTIALS.tenantId,
        appKey: EMULATOR_CREDENTIALS.appKey,
        appSecret: 'env:RECEIVABLE_TEST_SECRET',
        lookupUrl: emulator.url,
        limits: { callsPerMinute: 600 },
      });
    });
    afterAll(() => emulator.close());

    it('blue and red save, are found by extSystemCode + extVouchCode, and a second save of a key is refused', async () => {
      const blue = await client.save(
        '/yonbip/EFI/receivable/save',
        yonyouModel('receivable', order(), flow, 'AR-SO-1'),
        'ar-1',
      );
      await client.save('/yonbip/EFI/receivable/save', yonyouModel('receivable', refund(), flow, 'AR-SO-1-R'), 'ar-2');
      const page = await client.list('/yonbip/EFI/receivable/list', {
        pageIndex: 1,
        pageSize: 10,
        isSum: true,
        extSystemCode: 'yecai',
        extVouchCode: 'AR-SO-1',
      });
      expect(page.recordList.map((row) => [row.id, row.extVouchCode])).toEqual([[blue.id, 'AR-SO-1']]);
      const red = emulator.state.documentsOf('receivable').find((one) => one.header.extVouchCode === 'AR-SO-1-R')!;
      expect([red.header.direction, red.header.oriTaxIncludedAmount]).toEqual(['-1', '-16.67']);
      await expect(
        client.save('/yonbip/EFI/receivable/save', yonyouModel('receivable', order(), flow, 'AR-SO-1'), 'ar-3'),
      ).rejects.toThrow(/外部系统单号\[AR-SO-1\]已存在/);
    });

    it('an unknown customer is refused naming its code', async () => {
      const model = yonyouModel('receivable', order({ customer: 'NO-SUCH-CUSTOMER' }), flow, 'AR-BAD');
      await expect(client.save('/yonbip/EFI/receivable/save', model, 'ar-bad')).rejects.toThrow(
        /客户\[NO-SUCH-CUSTOMER\]不存在/,
      );
    });
  });
});
