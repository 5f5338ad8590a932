import { startKingdeeEmulator, type KingdeeEmulator } from '../src';
import { RawSession } from './raw-client';

/** 下推 Push: an audited 销售出库单 becomes one linked 应收单 (saved), 反写 of 关联应收数量, refusals as Kingdee's. */
let emulator: KingdeeEmulator;
let kd: RawSession;
beforeAll(async () => {
  emulator = await startKingdeeEmulator();
  kd = new RawSession(emulator.url);
  await kd.login();
});
afterAll(() => emulator.close());

const ref = (number: string) => ({ FNumber: number });
type Answer = Awaited<ReturnType<RawSession['op']>>;
const ok = (answer: Answer) => answer.json.Result.ResponseStatus.IsSuccess === true;
const text = (answer: Answer) => JSON.stringify(answer.json);

async function outstock(billNo: string, audit: boolean): Promise<void> {
  const saved = await kd.op('Save', 'SAL_OUTSTOCK', {
    Model: {
      FBillNo: billNo,
      FDate: '2025-04-01',
      FStockOrgId: ref('100'),
      FSaleOrgId: ref('100'),
      FCustomerID: ref('TM-YS01'),
      F_YC_OnlineOrderNo: `TB-${billNo}`,
      SubHeadEntity: { FSettleCurrID: ref('PRE001'), FExchangeRate: 1 },
      FEntity: [
        { FMaterialID: ref('G2001'), FUnitID: ref('Pcs'), FRealQty: 2, FTaxPrice: 19.9, FEntryTaxRate: 13, FStockID: ref('CK001') },
        { FMaterialID: ref('G2001'), FUnitID: ref('Pcs'), FRealQty: 1.5, FTaxPrice: 10, FEntryTaxRate: 13, FStockID: ref('CK001') },
      ],
    },
  });
  expect(ok(saved)).toBe(true);
  if (!audit) return;
  expect(ok(await kd.op('Submit', 'SAL_OUTSTOCK', { Numbers: [billNo] }))).toBe(true);
  expect(ok(await kd.op('Audit', 'SAL_OUTSTOCK', { Numbers: [billNo] }))).toBe(true);
}

const push = (numbers: string[], ruleId = 'AR_OutStockToReceivableMap') => kd.op('Push', 'SAL_OUTSTOCK', { Numbers: numbers, RuleId: ruleId, IsEnableDefaultRule: 'false' });
const receivablesOf = async (billNo: string) =>
  (await kd.query({ FormId: 'AR_receivable', FieldKeys: 'FBillNo,FDocumentStatus,FCUSTOMERID.FNumber,FCURRENCYID.FNumber,F_YC_OnlineOrderNo,FPriceQty,FTaxPrice,FSourceBillNo', FilterString: `FSourceBillNo='${billNo}'` })).json as unknown[][];
const joined = async (billNo: string) => ((await kd.query({ FormId: 'SAL_OUTSTOCK', FieldKeys: 'FRealQty,FARJOINQTY', FilterString: `FBillNo='${billNo}'` })).json as unknown[][]);

describe('下推 Push (AR_OutStockToReceivableMap)', () => {
  it('makes one saved 应收单 per audited out-stock, lines linked by 源单编号, and writes the pushed quantity back', async () => {
    await outstock('PUSH-OUT-1', true);
    const answer = await push(['PUSH-OUT-1']);
    expect(ok(answer)).toBe(true);
    expect(answer.json.Result.ConvertResponseStatus.IsSuccess).toBe(true);
    const [target] = answer.json.Result.ResponseStatus.SuccessEntitys as { Id: number; Number: string }[];
    const rows = await receivablesOf('PUSH-OUT-1');
    expect(rows).toEqual([
      [target!.Number, 'A', 'TM-YS01', 'PRE001', 'TB-PUSH-OUT-1', 2, 19.9, 'PUSH-OUT-1'],
      [target!.Number, 'A', 'TM-YS01', 'PRE001', 'TB-PUSH-OUT-1', 1.5, 10, 'PUSH-OUT-1'],
    ]);
    expect(await joined('PUSH-OUT-1')).toEqual([
      [2, 2],
      [1.5, 1.5],
    ]);
  });

  it('refuses a second push of a fully pushed bill, an unaudited bill and an unknown rule — and makes nothing', async () => {
    await outstock('PUSH-OUT-2', true);
    expect(ok(await push(['PUSH-OUT-2']))).toBe(true);
    const again = await push(['PUSH-OUT-2']);
    expect(ok(again)).toBe(false);
    expect(text(again)).toContain('已全部下推应收单，没有可下推的数据');
    expect((await receivablesOf('PUSH-OUT-2')).length).toBe(2);

    await outstock('PUSH-OUT-3', false);
    expect(text(await push(['PUSH-OUT-3']))).toContain('未审核，不能下推');
    expect(text(await push(['PUSH-OUT-2'], 'NoSuchRule'))).toContain('转换规则“NoSuchRule”不存在');
    expect(await receivablesOf('PUSH-OUT-3')).toEqual([]);
  });

  it('refuses to un-audit a source with a downstream 应收单; deleting the 应收单 gives the quantity back', async () => {
    await outstock('PUSH-OUT-4', true);
    const [target] = (await push(['PUSH-OUT-4'])).json.Result.ResponseStatus.SuccessEntitys as { Number: string }[];
    const refused = await kd.op('UnAudit', 'SAL_OUTSTOCK', { Numbers: ['PUSH-OUT-4'] });
    expect(text(refused)).toContain(`已经存在下游单据（应收单 ${target!.Number}），不允许反审核`);
    expect(ok(await kd.op('Delete', 'AR_receivable', { Numbers: [target!.Number] }))).toBe(true);
    expect(await joined('PUSH-OUT-4')).toEqual([
      [2, 0],
      [1.5, 0],
    ]);
    expect(ok(await kd.op('UnAudit', 'SAL_OUTSTOCK', { Numbers: ['PUSH-OUT-4'] }))).toBe(true);
  });
});
