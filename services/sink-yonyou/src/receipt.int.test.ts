/**
 * Receipts through the YonSuite sink (real Kafka + MongoDB-wire + schema registry, the YonSuite emulator): the
 * receivables are posted first by the same sink, then each payout's EFI 收款单 links them by id and writes them off
 * when audited — the receivable's balance on YonSuite drops to what is still open. A receivable whose audit has not
 * landed yet is a level-2 matter (the ladder saves again once it has); one YonSuite does not have, one in another
 * currency, or an amount beyond what is open parks the receipt (level 1) naming the receivable.
 */
import { uniqueTopicPrefix } from '@yecai/test-harness';
import type { YonyouEmulator } from '@yecai/emulator-yonyou';
import {
  canonical,
  documentCounts,
  RECEIPT_FLOW,
  seedReceivable,
  startEmulator,
  startSink,
  writeOffOf,
  type RunningSink,
} from '../test/fixtures';

/** A payout writing off `amount` of each receivable named. */
const payout = (key: string, receivables: string[], amount = '39.98') =>
  canonical('receipt', key, { lines: receivables.map((receivable) => ({ material: receivable, price: amount })) });

describe('YonSuite receipts: EFI 收款单 written off against EFI 应收单 (real Kafka + MongoDB-wire + schema registry)', () => {
  let emulator: YonyouEmulator;
  let sink: RunningSink;
  beforeEach(async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('yonyou-receipt');
    emulator = await startEmulator();
    sink = await startSink(emulator, {
      flows: [{ documentType: 'receivable', bustype: 'ar_colsale' }, RECEIPT_FLOW],
      level2RetryDelaysMs: [500],
    });
  });
  afterEach(async () => {
    await sink.stop();
    await emulator.close();
  });

  it('receivables posted first, then the payouts: each receipt audited once, its receivables written off', async () => {
    await sink.produce('receivable', [
      canonical('receivable', 'AR-113-1'),
      canonical('receivable', 'AR-113-2'),
      canonical('receivable', 'AR-113-3'),
    ]);
    await sink.waitForStates({ POSTED: 3 }, 'the three receivables POSTED (audited)');
    // One payout settles two receivables in full, another 10.00 of the third.
    await sink.produce('receipt', [payout('SK-1', ['AR-113-1', 'AR-113-2']), payout('SK-2', ['AR-113-3'], '10.00')]);
    await sink.waitForStates({ POSTED: 5 }, 'both receipts POSTED (audited = written off)');
    expect(documentCounts(emulator, 'collection', 'SK-')).toEqual(
      new Map([
        ['SK-1', 1],
        ['SK-2', 1],
      ]),
    );
    expect(emulator.state.documentsOf('collection').map((one) => one.status)).toEqual([1, 1]);
    expect(['AR-113-1', 'AR-113-2', 'AR-113-3'].map((key) => writeOffOf(emulator, key))).toEqual([
      { written: '39.98', balance: '0' },
      { written: '39.98', balance: '0' },
      { written: '10', balance: '29.98' },
    ]);
    // The rows name their receivables by YonSuite id (and number), found by the EFI business key. The receivables
    // posted concurrently, so YonSuite numbered them in any order: look each one up by its key.
    const idOf = (key: string) =>
      emulator.state.documentsOf('receivable').find((one) => one.header.extVouchCode === key)!.id.toString();
    const sk1 = emulator.state.documentsOf('collection').find((one) => one.header.extVouchCode === 'SK-1')!;
    expect(sk1.lines.map((row) => [row.srcBillId, row.oriTaxIncludedAmount, row.receivableExtVouchCode])).toEqual([
      [idOf('AR-113-1'), '39.98', undefined],
      [idOf('AR-113-2'), '39.98', undefined],
    ]);
  });

  it('a receivable whose audit has not landed: the receipt waits on the ladder (level 2) and posts once it has', async () => {
    const id = seedReceivable(emulator, 'AR-LATE', { audit: false });
    await sink.produce('receipt', [payout('SK-LATE', ['AR-LATE'])]);
    const [waiting] = await sink.waitForStates({ REJECTED: 1 }, 'the receipt REJECTED (level 2)');
    expect([waiting!.problem?.level, waiting!.problem?.message]).toEqual([
      2,
      expect.stringMatching(/源单应收单\[AR-LATE\]未审核，不能收款核销/),
    ]);
    emulator.state.setStatus('receivable', id, true);
    await sink.waitForStates({ POSTED: 1 }, 'the receipt POSTED after the receivable was audited');
    expect(documentCounts(emulator, 'collection', 'SK-')).toEqual(new Map([['SK-LATE', 1]]));
    expect(writeOffOf(emulator, 'AR-LATE')).toEqual({ written: '39.98', balance: '0' });
  });

  it('a receivable YonSuite lacks, in another currency, or not open enough parks the receipt (level 1) naming it', async () => {
    seedReceivable(emulator, 'AR-CNY', { currency: 'CNY' });
    seedReceivable(emulator, 'AR-SMALL', { amount: '20.00' });
    await sink.produce('receipt', [
      payout('SK-MISSING', ['AR-NOWHERE']),
      payout('SK-CNY', ['AR-CNY']),
      payout('SK-OVER', ['AR-SMALL'], '20.01'),
    ]);
    const entries = await sink.waitForStates({ PARKED: 3 }, 'the three receipts PARKED');
    const problem = (billNo: string) => entries.find((entry) => entry.billNo === billNo)!.problem;
    expect(problem('SK-MISSING')).toMatchObject({
      level: 1,
      code: 'YONYOU_RECEIVABLE_NOT_FOUND',
      field: 'writeOffs[].receivableBillNumber',
      message: expect.stringMatching(/核销的应收单 AR-NOWHERE 在用友不存在/),
    });
    expect(problem('SK-CNY')).toMatchObject({
      level: 1,
      field: 'srcBillId',
      message: expect.stringMatching(/源单应收单\[AR-CNY\]币种\[CNY\]与收款单币种\[USD\]不一致/),
    });
    expect(problem('SK-OVER')).toMatchObject({
      level: 1,
      message: expect.stringMatching(/本次收款金额\[20.01\]超过源单应收单\[AR-SMALL\]未核销余额\[20\]/),
    });
    expect(emulator.state.documentsOf('collection')).toEqual([]);
    expect(writeOffOf(emulator, 'AR-SMALL')).toEqual({ written: '0', balance: '20' });
  });
});
