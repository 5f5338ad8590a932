import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '@yecai/common';
import { startKingdeeEmulator, type KingdeeEmulator } from '../src';
import { ACCT, APP_ID, D, PASSWORD, RawSession, USER, javaStyleHeaders } from './raw-client';

let emulator: KingdeeEmulator;
let kd: RawSession;
beforeAll(async () => {
  emulator = await startKingdeeEmulator();
  kd = new RawSession(emulator.url);
  await kd.login();
});
afterAll(() => emulator.close());
afterEach(() => emulator.clearFaults());

let seq = 0;
const no = (prefix: string) => `${prefix}-${++seq}`;
const ref = (number: string) => ({ FNumber: number });
const stock = (material: string, warehouse: string, lot = '', org = '100') => emulator.state.stockOf(org, material, warehouse, lot).toFixed();

async function saveSubmitAudit(formId: string, model: Record<string, unknown>, flags = '') {
  const saved = await kd.op('Save', formId, { Model: model });
  expect(saved.json.Result.ResponseStatus).toMatchObject({ IsSuccess: true });
  const numbers = [saved.json.Result.Number];
  expect((await kd.op('Submit', formId, { Numbers: numbers })).json.Result.ResponseStatus.IsSuccess).toBe(true);
  return kd.op('Audit', formId, { Numbers: numbers, InterationFlags: flags });
}

describe('stock effects of every stock bill form on audit', () => {
  const head = { FDate: '2025-04-01', FStockOrgId: ref('100') };
  const line = (qtyKey: string, qty: number, warehouseKey = 'FStockId', material = 'G2001') => ({ FMaterialId: ref(material), FUnitID: ref('Pcs'), [qtyKey]: qty, [warehouseKey]: ref('CK001') });
  const cases: [string, Record<string, unknown>, number][] = [
    ['SAL_OUTSTOCK', { ...head, FSaleOrgId: ref('100'), FCustomerID: ref('TM-YS01'), SubHeadEntity: { FSettleCurrID: ref('PRE001') }, FEntity: [line('FRealQty', 3, 'FStockID')] }, -3],
    ['SAL_RETURNSTOCK', { ...head, FSaleOrgId: ref('100'), FRetcustId: ref('TM-YS01'), SubHeadEntity: { FSettleCurrId: ref('PRE001') }, FEntity: [line('FRealQty', 2)] }, 2],
    ['STK_InStock', { ...head, FPurchaseOrgId: ref('100'), FSupplierId: ref('VEN001'), FInStockFin: { FSettleCurrId: ref('PRE001') }, FInStockEntry: [line('FRealQty', 10)] }, 10],
    ['PUR_MRB', { ...head, FPurchaseOrgId: ref('100'), FSupplierID: ref('VEN001'), FPURMRBFIN: { FSettleCurrId: ref('PRE001') }, FPURMRBENTRY: [line('FRMREALQTY', 4)] }, -4],
    ['STK_MISCELLANEOUS', { ...head, FStockDirect: 'GENERAL', FEntity: [line('FQty', 5, 'FSTOCKID')] }, 5],
    ['STK_MisDelivery', { ...head, FStockDirect: 'GENERAL', FCustId: ref('TM-YS01'), FEntity: [line('FQty', 6)] }, -6],
    ['STK_StockCountGain', { ...head, FBillEntry: [line('FGainQty', 7)] }, 7],
    ['STK_StockCountLoss', { ...head, FBillEntry: [line('FLossQty', 8)] }, -8],
  ];
  it.each(cases)('%s', async (formId, model, delta) => {
    const before = new Decimal(stock('G2001', 'CK001'));
    const audited = await saveSubmitAudit(formId, { FBillNo: no(formId), ...model });
    expect(audited.json.Result.ResponseStatus.IsSuccess).toBe(true);
    expect(stock('G2001', 'CK001')).toBe(before.plus(delta).toFixed());
  });

  it('STK_TransferDirect moves stock between warehouses of two orgs', async () => {
    const fromBefore = new Decimal(stock('G2001', 'CK001'));
    const toBefore = new Decimal(stock('G2001', 'CK101', '', '101'));
    const audited = await saveSubmitAudit('STK_TransferDirect', {
      FBillNo: no('DB'),
      FDate: '2025-04-01',
      FStockOutOrgId: ref('100'),
      FStockOrgId: ref('101'),
      FTransferBizType: 'OverOrgTransfer',
      FBillEntry: [{ FMaterialId: ref('G2001'), FUnitID: ref('Pcs'), FQty: 9, FSrcStockId: ref('CK001'), FDestStockId: ref('CK101') }],
    });
    expect(audited.json.Result.ResponseStatus.IsSuccess).toBe(true);
    expect(stock('G2001', 'CK001')).toBe(fromBefore.minus(9).toFixed());
    expect(stock('G2001', 'CK101', '', '101')).toBe(toBefore.plus(9).toFixed());
  });

  it('STK_AssembledApp consumes components and produces the kit', async () => {
    const kitBefore = new Decimal(stock('A3001-SET', 'CK001', '0'));
    const partBefore = new Decimal(stock('A1001-BLK', 'CK001', '0'));
    const audited = await saveSubmitAudit('STK_AssembledApp', {
      FBillNo: no('ZZ'),
      FDate: '2025-04-01',
      FStockOrgId: ref('100'),
      FAffairType: 'Assembly',
      FEntity: [
        {
          FMaterialID: ref('A3001-SET'),
          FUnitID: ref('Box'),
          FQty: 2,
          FStockID: ref('CK001'),
          FLot: ref('0'),
          FSubEntity: [{ FMaterialIDSETY: ref('A1001-BLK'), FUnitIDSETY: ref('Pcs'), FQtySETY: 4, FStockIDSETY: ref('CK001'), FLotSETY: ref('0') }],
        },
      ],
    });
    expect(audited.json.Result.ResponseStatus.IsSuccess).toBe(true);
    expect(stock('A3001-SET', 'CK001', '0')).toBe(kitBefore.plus(2).toFixed());
    expect(stock('A1001-BLK', 'CK001', '0')).toBe(partBefore.minus(4).toFixed());
  });

  it('a warehouse allowing negative stock accepts it only with the STK_InvCheckResult interaction flag', async () => {
    const model = { FDate: '2025-04-01', FStockOrgId: ref('100'), FStockDirect: 'GENERAL', FCustId: ref('TM-YS01'), FEntity: [{ FMaterialId: ref('G2002'), FUnitID: ref('Pcs'), FQty: 5, FStockId: ref('CK900') }] };
    const refused = await saveSubmitAudit('STK_MisDelivery', { FBillNo: no('QT'), ...model });
    expect(refused.json.Result.ResponseStatus.Errors[0].Message).toContain('负库存');
    const allowed = await saveSubmitAudit('STK_MisDelivery', { FBillNo: no('QT'), ...model }, 'STK_InvCheckResult');
    expect(allowed.json.Result.ResponseStatus).toMatchObject({ IsSuccess: true });
    expect(stock('G2002', 'CK900')).toBe('-5');
  });
});

describe('finance bills', () => {
  it('AR_receivable, AP_Payable and AR_RECEIVEBILL save and audit without touching stock', async () => {
    const ar = await saveSubmitAudit('AR_receivable', { FBillNo: no('AR'), FDATE: '2025-04-02', FCUSTOMERID: ref('TM-YS01'), FCURRENCYID: ref('PRE001'), FSETTLEORGID: ref('100'), F_YC_OnlineOrderNo: 'TB-1', FEntityDetail: [{ FMATERIALID: ref('A1001-BLK'), FPriceQty: 1, FTaxPrice: 199 }] });
    const ap = await saveSubmitAudit('AP_Payable', { FBillNo: no('AP'), FDATE: '2025-04-02', FSUPPLIERID: ref('VEN001'), FCURRENCYID: ref('PRE001'), FSETTLEORGID: ref('100'), FEntityDetail: [{ FPriceQty: 1, FTaxPrice: 50 }] });
    const rec = await saveSubmitAudit('AR_RECEIVEBILL', { FBillNo: no('SK'), FDATE: '2025-04-02', FCONTACTUNITTYPE: 'BD_Customer', FCONTACTUNIT: ref('TM-YS01'), FCURRENCYID: ref('PRE001'), FSETTLEORGID: ref('100'), FRECEIVEBILLENTRY: [{ FSETTLETYPEID: ref('JSFS04_SYS'), FRECTOTALAMOUNTFOR: 199 }] });
    for (const answer of [ar, ap, rec]) expect(answer.json.Result.ResponseStatus.IsSuccess).toBe(true);
    const rows = await kd.query({ FormId: 'AR_receivable', FieldKeys: 'FBillNo,FDocumentStatus,F_YC_OnlineOrderNo,FALLAMOUNT', FilterString: "F_YC_OnlineOrderNo='TB-1'" });
    expect(rows.json).toEqual([[expect.stringMatching(/^AR-/), 'C', 'TB-1', 199]]);
  });
});

describe('protocol surface', () => {
  it('accepts named bodies with any key case, positional arrays, parameters as a string and the .NET envelope', async () => {
    const fields = 'FNumber,FName';
    const filter = "FNumber='CK001'";
    const named = await kd.post(`${D}.ExecuteBillQuery`, { Data: { formid: 'BD_STOCK', fieldkeys: fields, filterstring: filter } });
    const positional = await kd.post(`${D}.executebillquery`, { parameters: [{ FormId: 'BD_STOCK', FieldKeys: fields, FilterString: filter }] });
    const asString = await kd.post(`${D}.ExecuteBillQuery`, { parameters: JSON.stringify([{ FormId: 'BD_STOCK', FieldKeys: fields, FilterString: filter }]) });
    const envelope = await kd.post(`${D}.ExecuteBillQuery`, { format: 1, useragent: 'ApiClient', rid: '1', parameters: JSON.stringify([JSON.stringify({ FormId: 'BD_STOCK', FieldKeys: fields, FilterString: filter })]), timestamp: new Date().toISOString(), v: '1.0' });
    for (const answer of [named, positional, asString, envelope]) expect(answer.json).toEqual([['CK001', '杭州主仓']]);
  });

  it('answers an unparsable body with a response_error: exception', async () => {
    const answer = await kd.post(`${D}.Save`, '{not json');
    expect(answer.text.startsWith('response_error:')).toBe(true);
  });

  it('rejects calls without a session with MsgCode 1 (queries double-wrapped)', async () => {
    const anonymous = new RawSession(emulator.url);
    const save = await anonymous.op('Save', 'SAL_OUTSTOCK', { Model: {} });
    expect(save.json.Result.ResponseStatus).toMatchObject({ ErrorCode: 500, IsSuccess: false, MsgCode: 1, Errors: [{ Message: '会话信息已丢失，请重新登录' }] });
    const query = await anonymous.query({ FormId: 'BD_STOCK', FieldKeys: 'FNumber' });
    expect(query.json[0][0].Result.ResponseStatus.MsgCode).toBe(1);
  });

  it('accepts Java SDK style signatures (millisecond timestamp, upper-case sign headers) and issues a session', async () => {
    const anonymous = new RawSession(emulator.url);
    const url = `${emulator.url}${D}.ExecuteBillQuery.common.kdsvc`;
    const answer = await anonymous.post(`${D}.ExecuteBillQuery`, { parameters: [JSON.stringify({ FormId: 'ORG_Organizations', FieldKeys: 'FOrgID,FNumber', OrderString: 'FOrgID' })] }, javaStyleHeaders(url));
    expect(answer.json).toEqual([[1, '100'], [100001, '101']]);
    expect(answer.setCookie.some((line) => line.startsWith('kdservice-sessionid='))).toBe(true);
    const sid = answer.setCookie[0]!.split(';')[0]!.split('=')[1]!;
    // Java replays the session as a SID header.
    const replay = await anonymous.post(`${D}.ExecuteBillQuery`, { parameters: [JSON.stringify({ FormId: 'ORG_Organizations', FieldKeys: 'FNumber' })] }, { ...javaStyleHeaders(url), SID: sid });
    expect(replay.json).toHaveLength(2);
  });

  it('in gateway mode a bad signature is HTTP 519 with an errcode', async () => {
    const gateway = await startKingdeeEmulator({ gatewayMode: true });
    try {
      const url = `${gateway.url}${D}.ExecuteBillQuery.common.kdsvc`;
      const answer = await new RawSession(gateway.url).post(`${D}.ExecuteBillQuery`, { data: { FormId: 'BD_STOCK', FieldKeys: 'FNumber' } }, javaStyleHeaders(url, 'wrong-secret'));
      expect(answer.status).toBe(519);
      expect(answer.json).toMatchObject({ errcode: 4002 });
    } finally {
      await gateway.close();
    }
  });

  it('sessions expire after the idle timeout', async () => {
    const short = await startKingdeeEmulator({ sessionTtlMs: 1000 });
    try {
      const session = new RawSession(short.url);
      await session.login();
      expect((await session.query({ FormId: 'BD_UNIT', FieldKeys: 'FNumber' })).json).toHaveLength(3);
      await new Promise((resolve) => setTimeout(resolve, 1300));
      expect((await session.query({ FormId: 'BD_UNIT', FieldKeys: 'FNumber' })).json[0][0].Result.ResponseStatus.MsgCode).toBe(1);
    } finally {
      await short.close();
    }
  });

  it('LoginBySign with a SHA-256 signature opens a session; a wrong password does not', async () => {
    const { createHash } = await import('node:crypto');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sign = createHash('sha256').update([ACCT, USER, APP_ID, '8b2677b7426a4ce7b3de6413d8924bbe', timestamp].sort().join('')).digest('hex');
    const session = new RawSession(emulator.url);
    const ok = await session.post('Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginBySign', { acctID: ACCT, username: USER, appId: APP_ID, timestamp, sign, lcid: 2052 });
    expect(ok.json).toMatchObject({ LoginResultType: 1, IsSuccessByAPI: true });
    const bad = await session.post('Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser', { acctid: ACCT, userName: USER, password: `${PASSWORD}x`, lcid: 2052 });
    expect(bad.json).toMatchObject({ LoginResultType: 0, Message: '用户名或密码错误！' });
  });

  it('unknown forms, filter syntax errors and missing FieldKeys give error envelopes', async () => {
    expect((await kd.op('Save', 'NO_SUCH_FORM', { Model: {} })).json.Result.ResponseStatus.Errors[0].Message).toBe('业务对象不存在');
    const badFilter = await kd.query({ FormId: 'BD_STOCK', FieldKeys: 'FNumber', FilterString: "FNumber = 'x' and (" });
    expect(badFilter.json[0][0].Result.ResponseStatus.Errors[0].Message).toContain('FilterString');
  });
});

describe('filters, ordering and paging', () => {
  it('supports and/or/parentheses, in, not in, like, <>, >= and ordering by several keys', async () => {
    const q = (filter: string, order = 'FNumber') =>
      kd.query({ FormId: 'BD_MATERIAL', FieldKeys: 'FNumber', FilterString: `FUseOrgId.FNumber='100' and (${filter})`, OrderString: order }).then((answer) => (answer.json as string[][]).map((row) => row[0]));
    expect(await q("FNumber like 'A%' and not FNumber like '%SET'")).toEqual(['A1001-BLK', 'A1002-WHT']);
    expect(await q("FNumber in ('G2001','G2002') or FNumber = 'A3001-SET'", 'FNumber DESC')).toEqual(['G2002', 'G2001', 'A3001-SET']);
    expect(await q("FNumber not in ('G2001') and FNumber <> 'A1001-BLK' and FNumber >= 'A2'")).toEqual(['A3001-SET', 'G2002']);
    expect(await q("FName like '%赠品%'")).toEqual(['G2001', 'G2002']);
  });

  it('StartRow/Limit page and TopRowCount caps', async () => {
    const page = (start: number, limit: number, top = 0) =>
      kd.query({ FormId: 'BD_MATERIAL', FieldKeys: 'FNumber', FilterString: "FUseOrgId.FNumber='100'", OrderString: 'FNumber', StartRow: start, Limit: limit, TopRowCount: top }).then((answer) => (answer.json as string[][]).map((row) => row[0]));
    expect(await page(0, 2)).toEqual(['A1001-BLK', 'A1002-WHT']);
    expect(await page(4, 2)).toEqual(['G2002']);
    expect(await page(0, 10, 3)).toHaveLength(3);
  });
});

describe('updates and status rules', () => {
  it('Save with an existing FID updates the bill; an audited bill cannot be updated', async () => {
    const number = no('UPD');
    const model = { FBillNo: number, FDate: '2025-04-03', FStockOrgId: ref('100'), FStockDirect: 'GENERAL', FEntity: [{ FMATERIALID: ref('G2001'), FUnitID: ref('Pcs'), FQty: 1, FSTOCKID: ref('CK001') }] };
    const saved = await kd.op('Save', 'STK_MISCELLANEOUS', { Model: model });
    const fid = saved.json.Result.Id;
    const updated = await kd.op('Save', 'STK_MISCELLANEOUS', { Model: { ...model, FID: fid, FEntity: [{ FMATERIALID: ref('G2001'), FUnitID: ref('Pcs'), FQty: 2.5, FSTOCKID: ref('CK001') }] } });
    expect(updated.json.Result.Id).toBe(fid);
    expect((await kd.query({ FormId: 'STK_MISCELLANEOUS', FieldKeys: 'FQty', FilterString: `FID=${fid}` })).json).toEqual([[2.5]]);
    await kd.op('Submit', 'STK_MISCELLANEOUS', { Ids: String(fid) });
    await kd.op('Audit', 'STK_MISCELLANEOUS', { Ids: String(fid) });
    const refused = await kd.op('Save', 'STK_MISCELLANEOUS', { Model: { ...model, FID: fid } });
    expect(refused.json.Result.ResponseStatus.Errors[0].Message).toContain('已审核，不允许修改');
  });

  it('Audit before Submit is refused; operations on unknown numbers fail with MsgCode 10', async () => {
    const saved = await kd.op('Save', 'STK_MISCELLANEOUS', { Model: { FDate: '2025-04-03', FStockOrgId: ref('100'), FEntity: [{ FMATERIALID: ref('G2001'), FUnitID: ref('Pcs'), FQty: 1, FSTOCKID: ref('CK001') }] } });
    expect(saved.json.Result.Number).toMatch(/^QTRK\d{6}$/);
    const audit = await kd.op('Audit', 'STK_MISCELLANEOUS', { Numbers: [saved.json.Result.Number] });
    expect(audit.json.Result.ResponseStatus.Errors[0].Message).toContain('不是审核中');
    const missing = await kd.op('Submit', 'STK_MISCELLANEOUS', { Numbers: ['NOPE-1'] });
    expect(missing.json.Result.ResponseStatus.MsgCode).toBe(10);
  });
});

describe('base-data sub-headers', () => {
  it('BD_MATERIAL stores the base unit and batch flag sent inside SubHeadEntity / SubHeadEntity1, queryable by field key', async () => {
    const number = no('SUBHEAD');
    const model = { FCreateOrgId: ref('100'), FUseOrgId: ref('100'), FNumber: number, FName: '子单据头物料', SubHeadEntity: { FErpClsID: '1', FBaseUnitId: ref('Box') }, SubHeadEntity1: { FStoreUnitID: ref('Box'), FIsBatchManage: true } };
    expect((await kd.op('Save', 'BD_MATERIAL', { Model: model })).json.Result.ResponseStatus.IsSuccess).toBe(true);
    const keys = 'FNumber,FBaseUnitId.FNumber,SubHeadEntity.FBaseUnitId.FNumber,FBaseUnitId,FStoreUnitID.FNumber,FIsBatchManage,FErpClsID';
    const rows = (await kd.query({ FormId: 'BD_MATERIAL', FieldKeys: keys, FilterString: `FNumber='${number}'` })).json as unknown[][];
    const boxId = emulator.state.findBase('BD_UNIT', 'Box', 0)!.id;
    expect(rows).toEqual([[number, 'Box', 'Box', boxId, 'Box', true, '1']]);
    const byUnit = (await kd.query({ FormId: 'BD_MATERIAL', FieldKeys: 'FNumber', FilterString: `FBaseUnitId.FNumber='Box' and FNumber='${number}'` })).json;
    expect(byUnit).toEqual([[number]]);
    // With IsVerifyBaseDataField an unknown unit inside the sub-header is refused naming the field, like a top-level reference.
    const bad = await kd.op('Save', 'BD_MATERIAL', { IsVerifyBaseDataField: true, Model: { ...model, FNumber: no('SUBHEAD'), SubHeadEntity: { FBaseUnitId: ref('NOPE') } } });
    expect(bad.json.Result.ResponseStatus.Errors[0]).toMatchObject({ FieldName: 'FBaseUnitId' });
    expect(bad.json.Result.ResponseStatus.Errors[0].Message).toContain('NOPE');
  });
});

describe('admin endpoints and snapshots', () => {
  it('adds stock, closes and reopens a period, lists bills and sets faults over HTTP', async () => {
    const adminUrl = new URL('/__admin/', emulator.url).toString();
    const post = (path: string, body: unknown) => fetch(`${adminUrl}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((response) => response.json());
    expect(await post('stock', { org: '100', material: 'A1002-WHT', warehouse: 'CK002', lot: '0', qty: '12.5' })).toEqual({ qty: 12.5 });
    await post('periods/close', { org: '100', through: '2025-06-30' });
    const closed = await kd.op('Save', 'STK_MISCELLANEOUS', { Model: { FDate: '2025-06-01', FStockOrgId: ref('100'), FEntity: [{ FMATERIALID: ref('G2001'), FUnitID: ref('Pcs'), FQty: 1, FSTOCKID: ref('CK001') }] } });
    expect(closed.json.Result.ResponseStatus.Errors[0].Message).toContain('关账');
    await post('periods/open', { org: '100' });
    const bills = (await fetch(`${adminUrl}bills?formId=SAL_OUTSTOCK`).then((response) => response.json())) as unknown[];
    expect(Array.isArray(bills)).toBe(true);
    await post('faults', { http5xxNext: 1, http5xxStatus: 502 });
    expect((await kd.query({ FormId: 'BD_UNIT', FieldKeys: 'FNumber' })).status).toBe(502);
    expect((await kd.query({ FormId: 'BD_UNIT', FieldKeys: 'FNumber' })).status).toBe(200);
    const badFaults = await fetch(`${adminUrl}faults`, { method: 'POST', body: JSON.stringify({ http5xxRate: 7 }) });
    expect(badFaults.status).toBe(400);
    expect(await badFaults.text()).toContain('http5xxRate');
  });

  it('outage windows answer 503 while open', async () => {
    emulator.setFaults({ outages: [{ from: new Date(Date.now() - 1000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }] });
    expect((await kd.query({ FormId: 'BD_UNIT', FieldKeys: 'FNumber' })).status).toBe(503);
  });

  it('state survives a restart through the snapshot file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-snap-'));
    const snapshotPath = join(dir, 'state.json');
    try {
      const first = await startKingdeeEmulator({ snapshotPath });
      const session = new RawSession(first.url);
      await session.login();
      const saved = await session.op('Save', 'STK_MISCELLANEOUS', { Model: { FBillNo: 'SNAP-1', FDate: '2025-04-03', FStockOrgId: ref('100'), FEntity: [{ FMATERIALID: ref('G2001'), FUnitID: ref('Pcs'), FQty: 1.25, FSTOCKID: ref('CK001') }] } });
      expect(saved.json.Result.ResponseStatus.IsSuccess).toBe(true);
      await first.close();
      const second = await startKingdeeEmulator({ snapshotPath });
      try {
        const again = new RawSession(second.url);
        await again.login();
        expect((await again.query({ FormId: 'STK_MISCELLANEOUS', FieldKeys: 'FBillNo,FQty', FilterString: "FBillNo='SNAP-1'" })).json).toEqual([['SNAP-1', 1.25]]);
        const next = await again.op('Save', 'STK_MISCELLANEOUS', { Model: { FDate: '2025-04-03', FStockOrgId: ref('100'), FEntity: [{ FMATERIALID: ref('G2001'), FUnitID: ref('Pcs'), FQty: 1, FSTOCKID: ref('CK001') }] } });
        expect(next.json.Result.Id).toBeGreaterThan(saved.json.Result.Id);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------ lots, tax and 即时库存

const returnBill = (billNo: string, lines: Record<string, unknown>[]) => ({
  FBillNo: billNo,
  FDate: '2025-04-02',
  FStockOrgId: ref('100'),
  FSaleOrgId: ref('100'),
  FRetcustId: ref('TM-YS01'),
  SubHeadEntity: { FSettleCurrId: ref('PRE001') },
  FEntity: lines.map((line) => ({ FUnitID: ref('Pcs'), FStockId: ref('CK002'), ...line })),
});
const savedRows = async (billNo: string, lines: Record<string, unknown>[], fieldKeys: string) => {
  const saved = await kd.op('Save', 'SAL_RETURNSTOCK', { Model: returnBill(billNo, lines) });
  expect(saved.json.Result.ResponseStatus.IsSuccess).toBe(true);
  return (await kd.query({ FormId: 'SAL_RETURNSTOCK', FieldKeys: fieldKeys, FilterString: `FBillNo = '${billNo}'` })).json;
};
const inventory = async (filter: string) =>
  (
    await kd.query({
      FormId: 'STK_Inventory',
      FieldKeys: 'FStockOrgId.FNumber,FMaterialId.FNumber,FStockId.FNumber,FLot.FNumber,FBaseQty,FBaseUnitId.FNumber',
      FilterString: filter,
      OrderString: 'FLot.FNumber',
    })
  ).json;

describe('Save of a batch-managed material', () => {
  it('is refused without a lot, naming the row and 批号, and nothing is saved', async () => {
    const saved = await kd.op('Save', 'SAL_RETURNSTOCK', {
      Model: returnBill('TH-LOT-1', [
        { FMaterialId: ref('G2001'), FRealQty: 1 },
        { FMaterialId: ref('A1001-BLK'), FRealQty: 2, FLot: ref('') },
      ]),
    });
    expect(saved.json.Result.ResponseStatus).toMatchObject({
      IsSuccess: false,
      MsgCode: 11,
      Errors: [
        {
          FieldName: 'FLot',
          Message: '单据体实体【明细信息】第【2】行分录，【批号】字段必录（物料A1001-BLK启用了批号管理）',
          DIndex: 0,
        },
      ],
    });
    expect(emulator.state.findBill('SAL_RETURNSTOCK', { number: 'TH-LOT-1' })).toBeUndefined();
    const viewed = await kd.op('View', 'SAL_RETURNSTOCK', { Number: 'TH-LOT-1' });
    expect(viewed.json.Result.ResponseStatus.IsSuccess).toBe(false);
  });

  it('is saved with a lot; a material without batch management needs none', async () => {
    const saved = await kd.op('Save', 'SAL_RETURNSTOCK', {
      Model: returnBill('TH-LOT-2', [
        { FMaterialId: ref('G2001'), FRealQty: 1 },
        { FMaterialId: ref('A1001-BLK'), FRealQty: 2, FLot: ref('0') },
      ]),
    });
    expect(saved.json.Result.ResponseStatus.IsSuccess).toBe(true);
  });
});

describe('tax: 含税单价 and 税率 give 单价 and amounts', () => {
  it('computes FPrice to 6 places and FAllAmount, FAmount, FTaxAmount to 2, rounding half up', async () => {
    const rows = await savedRows('TH-TAX-1', [{ FMaterialId: ref('G2001'), FRealQty: 3, FTaxPrice: 19.9, FEntryTaxRate: 13 }], 'FTaxPrice,FPrice,FEntryTaxRate,FAllAmount,FAmount,FTaxAmount');
    // 19.9 / 1.13 = 17.610619469…; 3 × 19.9 = 59.70; 59.70 / 1.13 = 52.831858… → 52.83; tax 6.87.
    expect(rows).toEqual([[19.9, 17.610619, 13, 59.7, 52.83, 6.87]]);
  });

  it('rounds a half cent up and, with no tax rate, keeps price and amount equal', async () => {
    const lines = [
      { FMaterialId: ref('G2001'), FRealQty: 1, FTaxPrice: 1.13, FEntryTaxRate: 13 },
      { FMaterialId: ref('G2001'), FRealQty: 1, FTaxPrice: 0.005, FEntryTaxRate: 0 },
      { FMaterialId: ref('G2001'), FRealQty: 7, FTaxPrice: 10 },
    ];
    expect(await savedRows('TH-TAX-2', lines, 'FPrice,FAllAmount,FAmount,FTaxAmount')).toEqual([
      [1, 1.13, 1, 0.13],
      [0.005, 0.01, 0.01, 0],
      [10, 70, 70, 0],
    ]);
  });
});

describe('STK_Inventory (即时库存) through ExecuteBillQuery', () => {
  it('answers the stock after a posting, filtered by material, warehouse and lot', async () => {
    expect(await inventory("FMaterialId.FNumber = 'A1001-BLK' AND FStockId.FNumber = 'CK002'")).toEqual([]);
    const audited = await saveSubmitAudit(
      'SAL_RETURNSTOCK',
      returnBill('TH-INV-1', [
        { FMaterialId: ref('A1001-BLK'), FRealQty: 4, FLot: ref('L2504') },
        { FMaterialId: ref('A1001-BLK'), FRealQty: 1, FLot: ref('0') },
      ]),
    );
    expect(audited.json.Result.ResponseStatus.IsSuccess).toBe(true);
    expect(await inventory("FMaterialId.FNumber = 'A1001-BLK' AND FStockId.FNumber = 'CK002'")).toEqual([
      ['100', 'A1001-BLK', 'CK002', '0', 1, 'Pcs'],
      ['100', 'A1001-BLK', 'CK002', 'L2504', 4, 'Pcs'],
    ]);
    expect(
      await inventory("FMaterialId.FNumber = 'A1001-BLK' AND FStockId.FNumber = 'CK002' AND FLot.FNumber = 'L2504'"),
    ).toEqual([['100', 'A1001-BLK', 'CK002', 'L2504', 4, 'Pcs']]);
    // The fixture's opening stock is there too, by org.
    expect(await inventory("FMaterialId.FNumber = 'A1001-BLK' AND FStockOrgId.FNumber = '101'")).toEqual([
      ['101', 'A1001-BLK', 'CK101', '0', 50, 'Pcs'],
    ]);
  });

  it('names an unknown field like any other form', async () => {
    const answer = await kd.query({ FormId: 'STK_Inventory', FieldKeys: 'FMaterialId.FNumber,FNoSuchQty' });
    expect(JSON.stringify(answer.json)).toContain('元数据中标识为FNoSuchQty的字段不存在');
  });
});
