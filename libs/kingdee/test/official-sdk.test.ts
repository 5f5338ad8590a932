import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Decimal } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { FIXTURE, billNo, clientFor, startEmulator } from './helpers';

/**
 * Fidelity check: Kingdee's official Python SDK (kingdee-cdp-webapi-sdk 8.2.0, signature mode) drives the
 * emulator through Save, BatchSave, Submit, Audit, View, ExecuteBillQuery and Delete; our client must see
 * exactly the same state.
 */
const SCRIPTS = join(__dirname, '..', '..', '..', 'test', 'emulators', 'kingdee', 'scripts');

let emulator: KingdeeEmulator;
let python: string;
beforeAll(async () => {
  // Installs into .cache/python-kingdee on first use (needs PyPI), instant afterwards.
  python = execFileSync('bash', [join(SCRIPTS, 'install-python-sdk.sh')], { encoding: 'utf8', timeout: 170_000 }).trim();
  emulator = await startEmulator();
}, 180_000);
afterAll(() => emulator?.close());

interface SdkAnswers {
  save: { Result: { ResponseStatus: { IsSuccess: boolean }; Id: number; Number: string; NeedReturnData: unknown[] } };
  batchSave: { Result: { ResponseStatus: { IsSuccess: boolean; SuccessEntitys: { Id: number; Number: string; DIndex: number }[]; Errors: { FieldName: string; Message: string; DIndex: number }[]; MsgCode: number } } };
  submit: { Result: { ResponseStatus: { IsSuccess: boolean } } };
  audit: { Result: { ResponseStatus: { IsSuccess: boolean; SuccessMessages: { Message: string }[] } } };
  view: { Result: { ResponseStatus: null; Result: Record<string, unknown> } };
  query: unknown[][];
  badQuery: unknown;
  delete: { Result: { ResponseStatus: { IsSuccess: boolean; SuccessEntitys: { Number: string }[] } } };
}

it('the official Python SDK and our client see the same Kingdee', async () => {
  const prefix = billNo('SDK');
  // Async: the emulator runs in this process and must keep answering while Python talks to it.
  const { stdout } = await promisify(execFile)(python, [join(SCRIPTS, 'drive_sdk.py'), emulator.url, FIXTURE.acctId, FIXTURE.userName, FIXTURE.appId, FIXTURE.appSecret, prefix], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
  });
  const sdk = JSON.parse(stdout) as SdkAnswers;
  const client = clientFor(emulator);

  // Save and BatchSave (third package duplicates the first bill number → per-package error).
  expect(sdk.save.Result.ResponseStatus.IsSuccess).toBe(true);
  expect(sdk.save.Result.Number).toBe(`${prefix}-S`);
  expect(sdk.save.Result.NeedReturnData).toEqual([{ FBillNo: `${prefix}-S` }]);
  expect(sdk.batchSave.Result.ResponseStatus.IsSuccess).toBe(false);
  expect(sdk.batchSave.Result.ResponseStatus.MsgCode).toBe(11);
  expect(sdk.batchSave.Result.ResponseStatus.SuccessEntitys.map((entity) => [entity.Number, entity.DIndex])).toEqual([
    [`${prefix}-B1`, 0],
    [`${prefix}-B2`, 1],
  ]);
  expect(sdk.batchSave.Result.ResponseStatus.Errors).toEqual([
    { FieldName: 'FBillNo', Message: `违反字段唯一性要求：编码唯一。[${prefix}-S]在当前系统中已经被使用。`, DIndex: 2 },
  ]);
  expect(sdk.submit.Result.ResponseStatus.IsSuccess).toBe(true);
  expect(sdk.audit.Result.ResponseStatus.SuccessMessages[0]?.Message).toContain('审核成功');
  expect(sdk.delete.Result.ResponseStatus.SuccessEntitys.map((entity) => entity.Number)).toEqual([`${prefix}-B2`]);

  // View: the SDK's document is exactly the one our client gets.
  expect(sdk.view.Result.ResponseStatus).toBeNull();
  const ours = await client.view('SAL_OUTSTOCK', { number: `${prefix}-S` });
  expect(ours).toEqual(sdk.view.Result.Result);
  expect(ours).toMatchObject({ Id: sdk.save.Result.Id, DocumentStatus: 'C' });

  // ExecuteBillQuery: same rows, cell for cell (ours as exact decimals).
  const rows = await client.executeBillQuery({
    formId: 'SAL_OUTSTOCK',
    fieldKeys: ['FBillNo', 'FDocumentStatus', 'F_YC_LogisticsNo', 'FRealQty', 'FAllAmount'],
    filter: `FBillNo like '${prefix}-%'`,
    orderBy: 'FBillNo',
  });
  const normalise = (value: unknown) => (value instanceof Decimal ? value.toNumber() : value);
  expect(sdk.query).toEqual([
    [`${prefix}-B1`, 'A', 'YT9988776655', 1, 89.5],
    [`${prefix}-B2`, 'A', 'YT9988776655', 1, 89.5],
    [`${prefix}-S`, 'C', 'YT9988776655', 2, 179],
  ]);
  // The SDK queried before it deleted B2; we query after.
  expect(rows.map((row) => Object.values(row).map(normalise))).toEqual(sdk.query.filter((row) => row[0] !== `${prefix}-B2`));

  // The SDK sees the double-wrapped query error our client turns into MsgCode 9.
  expect(sdk.badQuery).toEqual([
    [{ Result: { ResponseStatus: { ErrorCode: 500, IsSuccess: false, Errors: [{ FieldName: null, Message: '元数据中标识为FNoSuchField的字段不存在', DIndex: 0 }], SuccessEntitys: [], SuccessMessages: [], MsgCode: 9 } } }],
  ]);
}, 120_000);
