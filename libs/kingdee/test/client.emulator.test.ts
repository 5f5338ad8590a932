import { inspect } from 'node:util';
import { Decimal, ValidationError, getFreePort } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import {
  KingdeeAuthError,
  KingdeeBusinessError,
  KingdeeDataError,
  KingdeeIndeterminateError,
  KingdeeProtocolError,
  KingdeeSystemError,
} from '../src';
import { FIXTURE, billNo, clientFor, salesOut, startEmulator } from './helpers';

let emulator: KingdeeEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());
afterEach(() => emulator.clearFaults());

const caught = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
};

describe('bill lifecycle in signature mode', () => {
  it('saves, queries, submits, audits (stock goes down), views, unaudits and deletes a sales out-stock', async () => {
    const client = clientFor(emulator);
    const number = billNo();
    const before = emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0');

    const saved = await client.save('SAL_OUTSTOCK', salesOut(number, { qty: '3' }), { needReturnFields: ['FBillNo'] });
    expect(saved.number).toBe(number);
    expect(saved.id).toBeGreaterThan(100000);
    expect(saved.returnData).toEqual({ FBillNo: number });

    const rows = await client.executeBillQuery({
      formId: 'SAL_OUTSTOCK',
      fieldKeys: ['FID', 'FBillNo', 'FDocumentStatus', 'F_YC_LogisticsNo', 'F_YC_OnlineOrderNo', 'FCustomerID.FNumber', 'FRealQty', 'FAllAmount', 'FLot.FNumber', 'FDate'],
      filter: `FBillNo='${number}'`,
    });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.FDocumentStatus).toBe('A');
    expect(row.F_YC_LogisticsNo).toBe('SF1234567890');
    expect(row.F_YC_OnlineOrderNo).toBe('TB-889900');
    expect(row['FCustomerID.FNumber']).toBe('TM-YS01');
    expect((row.FRealQty as Decimal).equals(3)).toBe(true);
    expect((row.FAllAmount as Decimal).toFixed(2)).toBe('599.70');
    expect(row.FDate).toBe('2025-03-01T00:00:00');

    await client.submit('SAL_OUTSTOCK', { numbers: [number] });
    const audited = await client.audit('SAL_OUTSTOCK', { numbers: [number] });
    expect(audited.successes).toEqual([{ id: saved.id, number, index: 0 }]);
    expect(audited.messages[0]).toContain('审核成功');
    expect(emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0').toFixed()).toBe(before.minus(3).toFixed());

    const document = await client.view('SAL_OUTSTOCK', { number });
    expect(document).toMatchObject({ Id: saved.id, BillNo: number, DocumentStatus: 'C' });
    expect(document.CustomerID).toMatchObject({ Number: 'TM-YS01' });

    const deleteAudited = await caught(client.delete('SAL_OUTSTOCK', { numbers: [number] }));
    expect(deleteAudited).toBeInstanceOf(KingdeeBusinessError);
    expect((deleteAudited as KingdeeBusinessError).level).toBe(2);

    await client.unAudit('SAL_OUTSTOCK', { ids: [saved.id] });
    expect(emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0').toFixed()).toBe(before.toFixed());
    const deleted = await client.delete('SAL_OUTSTOCK', { numbers: [number] });
    expect(deleted.successes[0]?.id).toBe(saved.id);
    expect(await client.executeBillQuery({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FID'], filter: `FBillNo='${number}'` })).toEqual([]);
  });

  it('re-auditing an audited bill is a level-2 business error (the sink confirms by query)', async () => {
    const client = clientFor(emulator);
    const number = billNo();
    await client.save('SAL_OUTSTOCK', salesOut(number));
    await client.submit('SAL_OUTSTOCK', { numbers: [number] });
    await client.audit('SAL_OUTSTOCK', { numbers: [number] });
    const error = await caught(client.audit('SAL_OUTSTOCK', { numbers: [number] }));
    expect(error).toBeInstanceOf(KingdeeBusinessError);
    expect(error.message).toContain('单据已经审核');
  });
});

describe('BatchSave per-bill outcomes', () => {
  it('reports saved bills with FID and number and failed bills with their own level', async () => {
    const client = clientFor(emulator);
    const [ok, missingCustomer, duplicate] = [billNo(), billNo(), billNo()];
    await client.save('SAL_OUTSTOCK', salesOut(duplicate));

    const outcomes = await client.batchSave('SAL_OUTSTOCK', [salesOut(ok), salesOut(missingCustomer, { customer: 'NO-SUCH-SHOP' }), salesOut(duplicate)]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['saved', 'failed', 'failed']);
    const [first, second, third] = outcomes;
    if (first?.status !== 'saved' || second?.status !== 'failed' || third?.status !== 'failed') throw new Error('shape');
    expect(first.number).toBe(ok);
    expect(first.id).toBeGreaterThan(100000);
    expect(second.error).toBeInstanceOf(KingdeeDataError);
    expect(second.error.level).toBe(1);
    expect(second.details[0]).toMatchObject({ field: 'FCustomerID', message: '字段“客户”是必填项', index: 1 });
    expect(third.error).toBeInstanceOf(KingdeeBusinessError);
    expect(third.error.level).toBe(2);
    expect(third.details[0]?.message).toBe(`违反字段唯一性要求：编码唯一。[${duplicate}]在当前系统中已经被使用。`);

    // The saved bill really exists, the failed ones do not.
    const rows = await client.executeBillQuery({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FBillNo'], filter: `FBillNo in ('${ok}','${missingCustomer}')` });
    expect(rows).toEqual([{ FBillNo: ok }]);
  });

  it('names the entry row and field of a missing entry value', async () => {
    const client = clientFor(emulator);
    const model = salesOut(billNo(), { warehouse: 'NOPE' });
    const [outcome] = await client.batchSave('SAL_OUTSTOCK', [model]);
    if (outcome?.status !== 'failed') throw new Error('expected failure');
    expect(outcome.details[0]).toMatchObject({ field: 'FStockID', message: '单据体实体【明细信息】第【1】行分录，【仓库】字段必录' });
  });
});

describe('per-bill outcomes of status operations', () => {
  it('audits the bills that pass and reports the one short of stock, in input order', async () => {
    const client = clientFor(emulator);
    const [good, short] = [billNo(), billNo()];
    await client.batchSave('SAL_OUTSTOCK', [salesOut(good, { qty: '1' }), salesOut(short, { material: 'G2002', lot: '', qty: '999' })]);
    const submitted = await client.operateEach('Submit', 'SAL_OUTSTOCK', { numbers: [good, short, 'NOT-THERE'] });
    expect(submitted.map((outcome) => outcome.status)).toEqual(['done', 'done', 'failed']);
    const audited = await client.operateEach('Audit', 'SAL_OUTSTOCK', { numbers: [good, short] });
    expect(audited[0]).toMatchObject({ status: 'done', number: good, index: 0 });
    const failed = audited[1];
    if (failed?.status !== 'failed') throw new Error('expected the second audit to fail');
    expect(failed.key).toBe(short);
    expect(failed.error).toBeInstanceOf(KingdeeBusinessError);
    expect(failed.error.message).toContain('库存不足');
  });
});

describe('business rules', () => {
  it('auditing an out-stock beyond stock fails with 库存不足 and leaves stock and status unchanged', async () => {
    const client = clientFor(emulator);
    const number = billNo();
    await client.save('SAL_OUTSTOCK', salesOut(number, { material: 'G2002', lot: '', qty: '21' }));
    await client.submit('SAL_OUTSTOCK', { numbers: [number] });
    const error = await caught(client.audit('SAL_OUTSTOCK', { numbers: [number] }));
    expect(error).toBeInstanceOf(KingdeeBusinessError);
    expect((error as KingdeeBusinessError).level).toBe(2);
    expect((error as KingdeeBusinessError).retriable).toBe(false);
    expect(error.message).toContain('库存不足');
    expect(emulator.state.stockOf('100', 'G2002', 'CK001', '').toFixed()).toBe('20');
    const [row] = await client.executeBillQuery({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FDocumentStatus'], filter: `FBillNo='${number}'` });
    expect(row?.FDocumentStatus).toBe('B');
  });

  it('rejects a bill dated in a closed period as a level-2 conflict', async () => {
    const client = clientFor(emulator);
    const error = await caught(client.save('SAL_OUTSTOCK', salesOut(billNo(), { date: '2024-12-15' })));
    expect(error).toBeInstanceOf(KingdeeBusinessError);
    expect(error.message).toContain('关账');
  });

  it('with IsVerifyBaseDataField an unknown material is a level-1 data error naming the field', async () => {
    const client = clientFor(emulator);
    const error = await caught(client.save('SAL_OUTSTOCK', salesOut(billNo(), { material: 'NOT-A-SKU' }), { isVerifyBaseDataField: true }));
    expect(error).toBeInstanceOf(KingdeeDataError);
    expect((error as KingdeeDataError).field).toBe('FMaterialID');
    expect(error.message).toContain('NOT-A-SKU');
  });

  it('a material not allocated to the bill org is not found there', async () => {
    const client = clientFor(emulator);
    const model = { ...salesOut(billNo(), { material: 'G2002', warehouse: 'CK101', lot: '' }), FStockOrgId: { FNumber: '101' }, FSaleOrgId: { FNumber: '101' } };
    const error = await caught(client.save('SAL_OUTSTOCK', model));
    expect(error).toBeInstanceOf(KingdeeDataError);
    expect((error as KingdeeDataError).details.map((detail) => detail.field)).toContain('FMaterialID');
  });
});

describe('queries', () => {
  it('pages with StartRow/Limit, filters and orders, and keeps decimals exact', async () => {
    const client = clientFor(emulator);
    const prefix = billNo('PAGE');
    const numbers = [1, 2, 3, 4, 5].map((i) => `${prefix}-${i}`);
    const outcomes = await client.batchSave('SAL_OUTSTOCK', numbers.map((number, i) => salesOut(number, { qty: `0.${i + 1}` })));
    expect(outcomes.every((outcome) => outcome.status === 'saved')).toBe(true);

    const pages: string[][] = [];
    for await (const page of client.queryPages({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FBillNo', 'FRealQty'], filter: `FBillNo like '${prefix}-%'`, orderBy: 'FBillNo DESC' }, 2)) {
      pages.push(page.map((row) => String(row.FBillNo)));
    }
    expect(pages).toEqual([
      [numbers[4], numbers[3]],
      [numbers[2], numbers[1]],
      [numbers[0]],
    ]);
    const all = await client.queryAll({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FRealQty'], filter: `FBillNo like '${prefix}-%' and (FRealQty >= 0.2 and FRealQty <= 0.4)`, orderBy: 'FBillNo' }, 2);
    expect(all.map((row) => (row.FRealQty as Decimal).toFixed())).toEqual(['0.2', '0.3', '0.4']);
  });

  it('an unknown field key is a level-1 error with MsgCode 9', async () => {
    const client = clientFor(emulator);
    const error = await caught(client.executeBillQuery({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FBillNo', 'FCustId'] }));
    expect(error).toBeInstanceOf(KingdeeDataError);
    expect((error as KingdeeDataError).msgCode).toBe(9);
    expect(error.message).toContain('元数据中标识为FCustId的字段不存在');
  });

  it('QueryBusinessInfo returns form metadata with required flags', async () => {
    const client = clientFor(emulator);
    const info = await client.queryBusinessInfo('SAL_OUTSTOCK');
    const entries = info.Entrys as { Key: string; Fields: { Key: string; MustInput: number }[] }[];
    const head = entries.find((entry) => entry.Key === 'FBillHead');
    expect(head?.Fields.find((field) => field.Key === 'FCustomerID')?.MustInput).toBe(1);
  });

  it('check() probes the connection', async () => {
    await expect(clientFor(emulator).check()).resolves.toEqual({ ok: true, organisations: 2 });
  });
});

describe('base data and allocation', () => {
  it('creates a material in org 100, audits it and allocates it to org 101 where bills can then use it', async () => {
    const client = clientFor(emulator);
    const number = billNo('A9');
    const saved = await client.save('BD_MATERIAL', { FCreateOrgId: { FNumber: '100' }, FUseOrgId: { FNumber: '100' }, FNumber: number, FName: '新品耳机' });
    await client.submit('BD_MATERIAL', { numbers: [number] });
    await client.audit('BD_MATERIAL', { numbers: [number] });
    const allocated = await client.allocate('BD_MATERIAL', { pkIds: [saved.id], targetOrgIds: [100001], autoSubmitAndAudit: true });
    expect(allocated.successes).toHaveLength(1);
    expect(allocated.successes[0]!.id).not.toBe(saved.id);

    const rows = await client.executeBillQuery({ formId: 'BD_MATERIAL', fieldKeys: ['FMATERIALID', 'FUseOrgId.FNumber', 'FDocumentStatus'], filter: `FNumber='${number}'`, orderBy: 'FMATERIALID' });
    expect(rows.map((row) => row['FUseOrgId.FNumber'])).toEqual(['100', '101']);

    const again = await caught(client.allocate('BD_MATERIAL', { pkIds: [saved.id], targetOrgIds: [100001] }));
    expect(again).toBeInstanceOf(KingdeeBusinessError);
  });
});

describe('ExcuteOperation and incremental master data', () => {
  it('a forbidden material cannot be used on bills until it is enabled again', async () => {
    const client = clientFor(emulator);
    await client.executeOperation('BD_MATERIAL', 'Forbid', { numbers: ['A1002-WHT'] });
    try {
      const [refused] = await client.batchSave('SAL_OUTSTOCK', [salesOut(billNo(), { material: 'A1002-WHT' })]);
      expect(refused).toMatchObject({ status: 'failed', details: [{ field: 'FMaterialID' }] });
      const [row] = await client.executeBillQuery({ formId: 'BD_MATERIAL', fieldKeys: ['FForbidStatus'], filter: "FNumber='A1002-WHT' and FUseOrgId.FNumber='101'" });
      expect(row?.FForbidStatus).toBe('B');
    } finally {
      await client.executeOperation('BD_MATERIAL', 'Enable', { numbers: ['A1002-WHT'] });
    }
    const [accepted] = await client.batchSave('SAL_OUTSTOCK', [salesOut(billNo(), { material: 'A1002-WHT' })]);
    expect(accepted?.status).toBe('saved');
  });

  it('cancels (作废) an unaudited bill and refuses to cancel an audited one', async () => {
    const client = clientFor(emulator);
    const [draft, audited] = [billNo(), billNo()];
    await client.batchSave('SAL_OUTSTOCK', [salesOut(draft), salesOut(audited)]);
    await client.submit('SAL_OUTSTOCK', { numbers: [audited] });
    await client.audit('SAL_OUTSTOCK', { numbers: [audited] });
    await client.executeOperation('SAL_OUTSTOCK', 'Cancel', { numbers: [draft] });
    const rows = await client.executeBillQuery({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FCancelStatus'], filter: `FBillNo='${draft}'` });
    expect(rows).toEqual([{ FCancelStatus: 'B' }]);
    const error = await caught(client.executeOperation('SAL_OUTSTOCK', 'Cancel', { numbers: [audited] }));
    expect(error).toBeInstanceOf(KingdeeBusinessError);
    const unknownOp = await caught(client.executeOperation('SAL_OUTSTOCK', 'Teleport', { numbers: [draft] }));
    expect(unknownOp).toBeInstanceOf(KingdeeDataError);
    expect((unknownOp as KingdeeDataError).msgCode).toBe(3);
  });

  it('finds audited online-sale materials changed since a cursor (F1 incremental sync)', async () => {
    const client = clientFor(emulator);
    const since = '2000-01-01 00:00:00';
    const rows = await client.queryAll(
      { formId: 'BD_MATERIAL', fieldKeys: ['FNumber', 'FName', 'FModifyDate'], filter: `FDocumentStatus='C' and F_YC_IsOnline=1 and FUseOrgId.FNumber='100' and FModifyDate>='${since}'`, orderBy: 'FModifyDate,FNumber' },
      2,
    );
    expect(rows.map((row) => row.FNumber)).toEqual(expect.arrayContaining(['A1001-BLK', 'A1002-WHT', 'A3001-SET', 'G2001']));
    expect(rows.map((row) => row.FNumber)).not.toContain('G2002');
    expect(String(rows[0]?.FModifyDate)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  });
});

describe('session mode', () => {
  it('logs in with ValidateUser, replays the cookie, and logs in again when the session expires', async () => {
    const client = clientFor(emulator, { auth: { mode: 'password', password: 'env:KD_TEST_PASSWORD' } });
    expect((await client.check()).ok).toBe(true);
    emulator.expireSessions();
    expect((await client.check()).ok).toBe(true);
    expect(emulator.callCounts.get('Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser')).toBeGreaterThanOrEqual(2);
  });

  it('logs in with LoginByAppSecret', async () => {
    const client = clientFor(emulator, { auth: { mode: 'appSecretLogin', appId: FIXTURE.appId, appSecret: 'env:KD_TEST_APP_SECRET' } });
    await expect(client.check()).resolves.toMatchObject({ ok: true });
  });

  it('a wrong password is an auth error, not retried', async () => {
    process.env.KD_TEST_WRONG = 'wrong';
    const client = clientFor(emulator, { auth: { mode: 'password', password: 'env:KD_TEST_WRONG' } });
    const error = await caught(client.check());
    expect(error).toBeInstanceOf(KingdeeAuthError);
    expect((error as KingdeeAuthError).level).toBe(3);
    expect((error as KingdeeAuthError).retriable).toBe(false);
    expect(error.message).toContain('用户名或密码错误');
  });
});

describe('signature mode session recovery', () => {
  it('drops a stale session cookie and retries once on MsgCode 1', async () => {
    const client = clientFor(emulator);
    await client.check();
    emulator.expireSessions();
    await expect(client.check()).resolves.toMatchObject({ ok: true });
  });

  it('a second MsgCode 1 in a row is an auth error', async () => {
    const client = clientFor(emulator);
    emulator.setFaults({ sessionLostNext: 2 });
    const error = await caught(client.check());
    expect(error).toBeInstanceOf(KingdeeAuthError);
    expect((error as KingdeeAuthError).msgCode).toBe(1);
  });

  it('a wrong AppSecret fails verification as an auth error', async () => {
    process.env.KD_TEST_BAD_SECRET = 'not-the-secret';
    const client = clientFor(emulator, { auth: { mode: 'signature', appId: FIXTURE.appId, appSecret: 'env:KD_TEST_BAD_SECRET' } });
    const error = await caught(client.save('SAL_OUTSTOCK', salesOut(billNo())));
    expect(error).toBeInstanceOf(KingdeeAuthError);
    expect(error.message).toContain('X-Kd-Signature');
  });

  it('a client clock 15 minutes off is refused (timestamp window)', async () => {
    const client = clientFor(emulator, {}, { now: () => Date.now() - 15 * 60_000 });
    const error = await caught(client.check());
    expect(error).toBeInstanceOf(KingdeeAuthError);
    expect(error.message).toContain('TimeStamp');
  });
});

describe('system errors, retries and limits', () => {
  it('retries an HTTP 503 and succeeds', async () => {
    const client = clientFor(emulator);
    emulator.setFaults({ http5xxNext: 2 });
    await expect(client.check()).resolves.toMatchObject({ ok: true });
  });

  it('gives up after maxAttempts with a retriable level-3 system error', async () => {
    const client = clientFor(emulator, { retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 } });
    emulator.setFaults({ down: true });
    const error = await caught(client.save('SAL_OUTSTOCK', salesOut(billNo())));
    expect(error).toBeInstanceOf(KingdeeSystemError);
    expect((error as KingdeeSystemError).level).toBe(3);
    expect((error as KingdeeSystemError).retriable).toBe(true);
  });

  it('MsgCode 14 throttling is a retriable system error; a client limit below the server limit avoids it', async () => {
    emulator.setFaults({ throttlePerSecond: 3 });
    const eager = clientFor(emulator, { retry: { maxAttempts: 1 } });
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(() => eager.check()));
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]!.reason).toBeInstanceOf(KingdeeSystemError);
    expect((rejected[0]!.reason as KingdeeSystemError).msgCode).toBe(14);
    expect((rejected[0]!.reason as KingdeeSystemError).retriable).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    // 1.5/s leaves room for network jitter under the server's 3/s (a window edge is never exact).
    const polite = clientFor(emulator, { retry: { maxAttempts: 1 }, limits: { callsPerSecond: 1.5, maxConcurrent: 2 } });
    const started = Date.now();
    const politeResults = await Promise.allSettled([1, 2, 3, 4].map(() => polite.check()));
    expect(politeResults.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('limits requests in flight per connection', async () => {
    emulator.setFaults({ latencyMs: 100 });
    const client = clientFor(emulator, { limits: { callsPerSecond: 1000, maxConcurrent: 1 } });
    const started = Date.now();
    await Promise.all([1, 2, 3].map(() => client.check()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('an unreachable server is a retriable system error', async () => {
    const port = await getFreePort();
    const client = clientFor({ url: `http://127.0.0.1:${port}/k3cloud/` }, { retry: { maxAttempts: 1 } });
    const error = await caught(client.check());
    expect(error).toBeInstanceOf(KingdeeSystemError);
    expect((error as KingdeeSystemError).code).toBe('KINGDEE_UNREACHABLE');
  });

  it('a response_error: exception is retried on reads and a non-retriable system error on writes', async () => {
    const client = clientFor(emulator);
    emulator.setFaults({ exceptionNext: 1 });
    await expect(client.check()).resolves.toMatchObject({ ok: true });
    emulator.setFaults({ exceptionNext: 1 });
    const error = await caught(client.save('SAL_OUTSTOCK', salesOut(billNo())));
    expect(error).toBeInstanceOf(KingdeeSystemError);
    expect((error as KingdeeSystemError).retriable).toBe(false);
    expect(error.message).toContain('未将对象引用设置到对象的实例');
  });

  it('a malformed answer is a protocol error saying what was wrong', async () => {
    const client = clientFor(emulator);
    emulator.setFaults({ malformedNext: 1 });
    const error = await caught(client.save('SAL_OUTSTOCK', salesOut(billNo())));
    expect(error).toBeInstanceOf(KingdeeProtocolError);
    expect(error.message).toContain('Result.ResponseStatus.IsSuccess');
  });
});

describe('indeterminate writes', () => {
  it('a save whose answer is lost is indeterminate; the bill was written and the caller finds it by query', async () => {
    const client = clientFor(emulator);
    const number = billNo();
    emulator.setFaults({ lostAnswerNext: 1 });
    const error = await caught(client.save('SAL_OUTSTOCK', salesOut(number)));
    expect(error).toBeInstanceOf(KingdeeIndeterminateError);
    expect((error as KingdeeIndeterminateError).retriable).toBe(false);
    expect((error as KingdeeIndeterminateError).billNumbers).toEqual([number]);
    const found = await client.findBills('SAL_OUTSTOCK', [number, "O'Brien-1"]);
    expect([...found.keys()]).toEqual([number]);
    expect(found.get(number)).toMatchObject({ documentStatus: 'A', cancelStatus: 'A' });
    expect(found.get(number)!.id).toBeGreaterThan(100000);
  });

  it('an HTTP 502 on a write is indeterminate (a proxy may have forwarded it), on a read it is retried', async () => {
    const client = clientFor(emulator);
    emulator.setFaults({ http5xxNext: 1, http5xxStatus: 502 });
    const error = await caught(client.submit('SAL_OUTSTOCK', { numbers: ['ANY-1'] }));
    expect(error).toBeInstanceOf(KingdeeIndeterminateError);
    expect((error as KingdeeIndeterminateError).billNumbers).toEqual(['ANY-1']);
    emulator.setFaults({ http5xxNext: 1, http5xxStatus: 502 });
    await expect(client.check()).resolves.toMatchObject({ ok: true });
  });

  it('a timeout after the write was applied is indeterminate too', async () => {
    const client = clientFor(emulator, { timeoutMs: 800 });
    const number = billNo();
    await client.save('SAL_OUTSTOCK', salesOut(number));
    await client.submit('SAL_OUTSTOCK', { numbers: [number] });
    emulator.setFaults({ lostAnswerNext: 1, lostAnswerHangMs: 2000 });
    const error = await caught(client.audit('SAL_OUTSTOCK', { numbers: [number] }));
    expect(error).toBeInstanceOf(KingdeeIndeterminateError);
    expect(error.message).toContain('no answer within 800 ms');
    const [row] = await client.executeBillQuery({ formId: 'SAL_OUTSTOCK', fieldKeys: ['FDocumentStatus'], filter: `FBillNo='${number}'` });
    expect(row?.FDocumentStatus).toBe('C');
  });

  it('reads that time out are retried instead', async () => {
    const client = clientFor(emulator, { timeoutMs: 800 });
    emulator.setFaults({ hangNext: 1, lostAnswerHangMs: 2000 });
    await expect(client.check()).resolves.toMatchObject({ ok: true });
    expect(emulator.callCounts.get('Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery')).toBeGreaterThanOrEqual(2);
  });
});

describe('configuration', () => {
  it('rejects an AppID of the wrong shape naming the field', () => {
    expect(() => clientFor(emulator, { auth: { mode: 'signature', appId: 'nounderscore', appSecret: 'env:KD_TEST_APP_SECRET' } })).toThrow(ValidationError);
    try {
      clientFor(emulator, { auth: { mode: 'signature', appId: 'nounderscore', appSecret: 'env:KD_TEST_APP_SECRET' } });
    } catch (error) {
      expect((error as ValidationError).field).toBe('auth.appId');
    }
  });

  it('refuses inline secrets', () => {
    expect(() => clientFor(emulator, { auth: { mode: 'signature', appId: FIXTURE.appId, appSecret: FIXTURE.appSecret } })).toThrow(/env:NAME or file:/);
  });

  it('never exposes the secret when a client is printed or serialised', () => {
    const client = clientFor(emulator);
    expect(JSON.stringify(client)).not.toContain(FIXTURE.appSecret);
    expect(inspect(client, { depth: 5 })).not.toContain(FIXTURE.appSecret);
  });

  it('several connections live in one process independently', async () => {
    process.env.KD_TEST_FINANCE = 'finance-pass';
    const signature = clientFor(emulator);
    const session = clientFor(emulator, { name: 'finance', userName: 'finance', auth: { mode: 'password', password: 'env:KD_TEST_FINANCE' } });
    const [a, b] = await Promise.all([signature.check(), session.check()]);
    expect(a.ok && b.ok).toBe(true);
    expect(signature.name).not.toBe(session.name);
  });
});
