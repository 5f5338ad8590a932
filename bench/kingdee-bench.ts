/**
 * Kingdee emulator + client benchmark.   npx tsx bench/kingdee-bench.ts [--bills 2000] [--batch 50]
 * 1. BatchSave throughput (bills/s) of the emulator, driven through @yecai/kingdee (signature mode).
 * 2. Client overhead per call: the same ExecuteBillQuery through KingdeeClient vs a bare fetch with a
 *    replayed session cookie, plus the CPU cost of signing and of validating a BatchSave answer.
 * Emulator and client share this process (and the machine's 2 shared cores): figures are a floor for
 * the emulator and an upper bound for client overhead, not a prediction of a real Kingdee server.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Decimal } from '@yecai/common';
import { startKingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient, WriteEnvelopeSchema, buildSignatureHeaders } from '@yecai/kingdee';
import { emitBenchRows } from './lib/results';

const APP = { acctId: '6571a2b3c4d5e6', userName: 'yecai-integration', appId: '300123_Q2kDWNdw1LBa4D0NTa6ADbQqTZbJUCTB', appSecret: '8b2677b7426a4ce7b3de6413d8924bbe' };

function bill(number: string) {
  return {
    FBillNo: number,
    FBillTypeID: { FNumber: 'XSCKD01_SYS' },
    FDate: '2025-05-01',
    FSaleOrgId: { FNumber: '100' },
    FStockOrgId: { FNumber: '100' },
    FCustomerID: { FNumber: 'TM-YS01' },
    F_YC_LogisticsNo: 'SF0000000001',
    F_YC_OnlineOrderNo: `TB-${number}`,
    SubHeadEntity: { FSettleCurrID: { FNumber: 'PRE001' } },
    FEntity: [1, 2, 3].map((line) => ({
      FMaterialID: { FNumber: line === 3 ? 'G2001' : 'A1001-BLK' },
      FUnitID: { FNumber: 'Pcs' },
      FRealQty: new Decimal(line),
      FTaxPrice: new Decimal('199.90'),
      FEntryTaxRate: new Decimal(13),
      FStockID: { FNumber: 'CK001' },
      FLot: { FNumber: line === 3 ? '' : '0' },
    })),
  };
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bills: { type: 'string', default: '2000' }, batch: { type: 'string', default: '50' }, calls: { type: 'string', default: '300' } } });
  const totalBills = Number(values.bills);
  const batchSize = Number(values.batch);
  const calls = Number(values.calls);
  process.env.KD_BENCH_SECRET = APP.appSecret;
  const emulator = await startKingdeeEmulator();
  const client = KingdeeClient.fromConfig({
    name: 'bench',
    serverUrl: emulator.url,
    acctId: APP.acctId,
    userName: APP.userName,
    auth: { mode: 'signature', appId: APP.appId, appSecret: 'env:KD_BENCH_SECRET' },
    limits: { callsPerSecond: 100_000, maxConcurrent: 4 },
  });
  const rows: Record<string, string>[] = [];

  // 1. BatchSave throughput, sequential batches and 4 concurrent writers.
  for (const concurrency of [1, 4]) {
    const batches = Math.ceil(totalBills / batchSize);
    let next = 0;
    let saved = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batches) {
          const batch = next++;
          const models = Array.from({ length: batchSize }, (_, i) => bill(`B${concurrency}-${batch}-${i}`));
          const t0 = performance.now();
          const outcomes = await client.batchSave('SAL_OUTSTOCK', models);
          latencies.push(performance.now() - t0);
          saved += outcomes.filter((outcome) => outcome.status === 'saved').length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    rows.push({ measure: `BatchSave ${batchSize}/call, ${concurrency} writer(s)`, value: `${Math.round(saved / seconds)} bills/s`, detail: `${saved} bills, call p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms` });
  }
  {
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await client.save('SAL_OUTSTOCK', bill(`S-${i}`));
      latencies.push(performance.now() - t0);
    }
    const seconds = (performance.now() - started) / 1000;
    rows.push({ measure: 'Save 1/call, 1 writer', value: `${Math.round(300 / seconds)} bills/s`, detail: `call p50 ${percentile(latencies, 50).toFixed(2)} ms` });
  }

  // 2. Client overhead per call: KingdeeClient vs bare fetch of the same query (session cookie replay).
  const query = { formId: 'BD_STOCK', fieldKeys: ['FNumber', 'FName'], filter: "FNumber='CK001'" };
  const url = `${emulator.url}Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc`;
  const login = await fetch(`${emulator.url}Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc`, { method: 'POST', body: JSON.stringify({ parameters: [APP.acctId, APP.userName, 'Kd@2024!demo', 2052] }) });
  const cookie = login.headers.getSetCookie().map((line) => line.split(';')[0]).join(';');
  await login.text();
  const body = JSON.stringify({ data: { FormId: 'BD_STOCK', FieldKeys: 'FNumber,FName', FilterString: "FNumber='CK001'" } });
  const bare: number[] = [];
  const viaClient: number[] = [];
  for (let i = 0; i < calls; i++) {
    let t0 = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { Cookie: cookie }, body });
    JSON.parse(await response.text());
    bare.push(performance.now() - t0);
    t0 = performance.now();
    await client.executeBillQuery(query);
    viaClient.push(performance.now() - t0);
  }
  rows.push({ measure: 'ExecuteBillQuery, bare fetch', value: `${mean(bare).toFixed(3)} ms/call`, detail: `p95 ${percentile(bare, 95).toFixed(3)} ms, ${calls} calls` });
  rows.push({ measure: 'ExecuteBillQuery, KingdeeClient', value: `${mean(viaClient).toFixed(3)} ms/call`, detail: `p95 ${percentile(viaClient, 95).toFixed(3)} ms` });
  rows.push({ measure: 'client overhead per call', value: `${(mean(viaClient) - mean(bare)).toFixed(3)} ms`, detail: 'signing, limiter, retry wrapper, zod, exact-decimal parse' });

  // CPU micro-costs.
  let t0 = performance.now();
  for (let i = 0; i < 10_000; i++) buildSignatureHeaders({ ...APP, lcid: 2052, orgNumber: 0, serviceUrl: url, timestamp: String(1_700_000_000 + i) });
  rows.push({ measure: 'signature headers', value: `${(((performance.now() - t0) / 10_000) * 1000).toFixed(1)} µs/call`, detail: '10,000 calls' });
  const answer = JSON.stringify({ Result: { ResponseStatus: { IsSuccess: true, Errors: [], SuccessEntitys: Array.from({ length: 50 }, (_, i) => ({ Id: 100000 + i, Number: `N${i}`, DIndex: i })), SuccessMessages: [], MsgCode: 0 }, NeedReturnData: [] } });
  t0 = performance.now();
  for (let i = 0; i < 2_000; i++) WriteEnvelopeSchema.parse(JSON.parse(answer));
  rows.push({ measure: 'parse+validate BatchSave answer (50 bills)', value: `${(((performance.now() - t0) / 2_000) * 1000).toFixed(1)} µs/call`, detail: '2,000 answers' });

  await emulator.close();
  const width = [Math.max(...rows.map((row) => row.measure!.length)), Math.max(...rows.map((row) => row.value!.length))];
  console.log(`${'measure'.padEnd(width[0]!)} | ${'value'.padEnd(width[1]!)} | detail`);
  console.log(`${'-'.repeat(width[0]!)}-|-${'-'.repeat(width[1]!)}-|-------`);
  for (const row of rows) console.log(`${row.measure!.padEnd(width[0]!)} | ${row.value!.padEnd(width[1]!)} | ${row.detail}`);
  emitBenchRows(rows.map((row) => ({ stage: 'kingdee', measure: row.measure!, value: row.value!, note: row.detail })));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
