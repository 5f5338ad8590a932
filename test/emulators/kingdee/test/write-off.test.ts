import { startKingdeeEmulator, type KingdeeEmulator } from '../src';
import { RawSession } from './raw-client';

/** 应收收款核销: receipts naming receivables in their 源单明细 write them off on audit, readable back like Kingdee shows it. */
let emulator: KingdeeEmulator;
let kd: RawSession;
beforeAll(async () => {
  emulator = await startKingdeeEmulator();
  kd = new RawSession(emulator.url);
  await kd.login();
});
afterAll(() => emulator.close());

const ref = (number: string) => ({ FNumber: number });
const ok = (answer: { json: { Result: { ResponseStatus: { IsSuccess: boolean } } } }) => answer.json.Result.ResponseStatus.IsSuccess;
type Answer = Awaited<ReturnType<RawSession['op']>>;

async function saveSubmitAudit(formId: string, model: Record<string, unknown>): Promise<{ saved: Answer; audited?: Answer }> {
  const saved = await kd.op('Save', formId, { Model: model });
  if (!ok(saved)) return { saved };
  const numbers = [saved.json.Result.Number];
  expect(ok(await kd.op('Submit', formId, { Numbers: numbers }))).toBe(true);
  return { saved, audited: await kd.op('Audit', formId, { Numbers: numbers }) };
}

const receivable = (billNo: string, qty: number, price: number, currency = 'PRE007') =>
  saveSubmitAudit('AR_receivable', { FBillNo: billNo, FDATE: '2025-04-02', FCUSTOMERID: ref('TM-YS01'), FCURRENCYID: ref(currency), FSETTLEORGID: ref('100'), FsubHeadFinc: { FExchangeRate: 7.1 }, FEntityDetail: [{ FMATERIALID: ref('A1001-BLK'), FPriceQty: qty, FTaxPrice: price, FEntryTaxRate: 0 }] });
const receipt = (billNo: string, rows: [string, number][], currency = 'PRE007') =>
  saveSubmitAudit('AR_RECEIVEBILL', {
    FBillNo: billNo,
    FDATE: '2025-05-10',
    FCONTACTUNITTYPE: 'BD_Customer',
    FCONTACTUNIT: ref('TM-YS01'),
    FCURRENCYID: ref(currency),
    FSETTLEORGID: ref('100'),
    FEXCHANGERATE: 7.25,
    FRECEIVEBILLENTRY: rows.map(([, amount]) => ({ FSETTLETYPEID: 'JSFS04_SYS', FRECTOTALAMOUNTFOR: amount })),
    FRECEIVEBILLSRCENTRY: rows.map(([number, amount]) => ({ FSRCBILLTYPEID: 'AR_receivable', FSRCBILLNO: number, FREALRECAMOUNT: amount })),
  });
const writtenOff = async (number: string) =>
  (await kd.query({ FormId: 'AR_receivable', FieldKeys: 'FPAYAMOUNTFOR,FWRITTENOFFAMOUNTFOR,FWRITTENOFFSTATUS', FilterString: `FBillNo='${number}'` })).json[0];

describe('应收收款核销 (receipt write-off)', () => {
  it('writes off each receivable by its own amount on audit, partly and fully, and reverses on UnAudit', async () => {
    await receivable('WO-AR-1', 2, 19.99);
    await receivable('WO-AR-2', 1, 50);
    expect(await writtenOff('WO-AR-1')).toEqual([39.98, 0, 'A']);
    const { audited } = await receipt('WO-SK-1', [['WO-AR-1', 39.98], ['WO-AR-2', 20]]);
    expect(ok(audited!)).toBe(true);
    expect(await writtenOff('WO-AR-1')).toEqual([39.98, 39.98, 'C']);
    expect(await writtenOff('WO-AR-2')).toEqual([50, 20, 'B']);
    const rows = await kd.query({ FormId: 'AR_RECEIVEBILL', FieldKeys: 'FBillNo,FSRCBILLNO,FREALRECAMOUNT,FSRCWRITTENOFFAMOUNTFOR,FEXCHANGERATE', FilterString: "FBillNo='WO-SK-1'" });
    expect(rows.json).toEqual([
      ['WO-SK-1', 'WO-AR-1', 39.98, 39.98, 7.25],
      ['WO-SK-1', 'WO-AR-2', 20, 20, 7.25],
    ]);
    const view = await kd.op('View', 'AR_RECEIVEBILL', { Number: 'WO-SK-1' });
    expect(view.json.Result.Result.RECEIVEBILLSRCENTRY.map((row: Record<string, unknown>) => [row.SRCBILLNO, row.REALRECAMOUNT])).toEqual([['WO-AR-1', 39.98], ['WO-AR-2', 20]]);

    // A receivable written off cannot be unaudited; unauditing the receipt reverses the write-off.
    const arUnaudit = await kd.op('UnAudit', 'AR_receivable', { Numbers: ['WO-AR-1'] });
    expect(JSON.stringify(arUnaudit.json)).toContain('单据已核销');
    expect(ok(await kd.op('UnAudit', 'AR_RECEIVEBILL', { Numbers: ['WO-SK-1'] }))).toBe(true);
    expect(await writtenOff('WO-AR-1')).toEqual([39.98, 0, 'A']);
    expect(await writtenOff('WO-AR-2')).toEqual([50, 0, 'A']);
  });

  it('refuses a receipt naming a receivable that does not exist, is over-paid, unaudited or in another currency', async () => {
    await receivable('WO-AR-3', 1, 30);
    const missing = await receipt('WO-SK-2', [['WO-AR-NONE', 10]]);
    expect(ok(missing.saved)).toBe(false);
    expect(JSON.stringify(missing.saved.json)).toContain('源单编号为“WO-AR-NONE”的应收单不存在');
    const over = await receipt('WO-SK-3', [['WO-AR-3', 20], ['WO-AR-3', 10.01]]);
    expect(JSON.stringify(over.saved.json)).toContain('本次收款金额 10.01 超过源单编号为“WO-AR-3”的应收单未核销金额 10');
    const draft = await kd.op('Save', 'AR_receivable', { Model: { FBillNo: 'WO-AR-4', FDATE: '2025-04-02', FCUSTOMERID: ref('TM-YS01'), FCURRENCYID: ref('PRE007'), FSETTLEORGID: ref('100'), FEntityDetail: [{ FPriceQty: 1, FTaxPrice: 5 }] } });
    expect(ok(draft)).toBe(true);
    expect(JSON.stringify((await receipt('WO-SK-4', [['WO-AR-4', 5]])).saved.json)).toContain('应收单未审核');
    expect(JSON.stringify((await receipt('WO-SK-5', [['WO-AR-3', 5]], 'PRE001')).saved.json)).toContain('币别（PRE007）与收款单币别（PRE001）不一致');
    expect(await writtenOff('WO-AR-3')).toEqual([30, 0, 'A']);
  });

  it('a red receivable is written off by a negative receipt row', async () => {
    await receivable('WO-AR-5', 1, 40);
    await receivable('WO-AR-5-R', -1, 15);
    const { audited } = await receipt('WO-SK-6', [['WO-AR-5', 40], ['WO-AR-5-R', -15]]);
    expect(ok(audited!)).toBe(true);
    expect(await writtenOff('WO-AR-5-R')).toEqual([-15, -15, 'C']);
  });
});
