/**
 * flows.md §3 levels 2 and 3 on 赛狐 documents, end to end (Saihu emulator → source-saihu → mapping → sink → 金蝶
 * emulator, real broker / registry / MongoDB). Level 2: two Amazon orders dated in a period Kingdee has closed are
 * refused; their receivables wait (REJECTED) with Kingdee's Chinese reason, the retry ladder runs out, then a person
 * acts through the sink's admin API — one re-pushed after finance reopens the period (posted once), one skipped
 * (never posted). Level 3: Kingdee goes down while new orders flow; the sink pauses (not ready, paused gauge) and
 * resumes from the break point, every receivable exactly once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, type LedgerEntry } from '@yecai/sink-kingdee';
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import { SaihuPipeline, monthOf, previousMonth } from './saihu-pipeline';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API records, read field by field
type Order = Record<string, any>;

const OPERATOR = { name: 'demo-operator', token: 'demo-operator-token' };
const SKIP_REASON = '上月已结账，财务手工补录 period stays closed, booked by hand';

let pipeline: SaihuPipeline;
let ledger: Ledger;
/** Ordered in the closed period: RETRIED is re-pushed after the period reopens, SKIPPED is skipped by a person. */
let RETRIED: Order, SKIPPED: Order;
let closedThrough = '';

const shipped = () => (pipeline.records('sales_order') as Order[]).filter((order) => order.orderStatus === 'Shipped');
const receivables = () => pipeline.billNumbers().get('AR_receivable') ?? new Map<string, number>();
const entryOf = async (order: Order): Promise<LedgerEntry | undefined> =>
  (await ledger.list({ formId: 'AR_receivable' }, 10_000, 0)).find((entry) => entry.billNo === order.amazonOrderId) as
    LedgerEntry | undefined;
const sinkUrl = () => `http://127.0.0.1:${pipeline.services.sink.options.opsPort!}`;

async function admin(path: string, body?: unknown): Promise<{ status: number; json: Order }> {
  const answer = await fetch(`${sinkUrl()}/admin${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR.token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.status, json: (await answer.json()) as Order };
}
const ledgerIdOf = async (order: Order) => encodeURIComponent((await entryOf(order))!._id);

/** `count` new shipped orders, modified a minute ago (inside the source's next window). */
function addShippedOrders(count: number): string[] {
  const store = pipeline.saihu.store;
  const at = Date.now() - 61_000;
  return Array.from({ length: count }, () => {
    const ref = store.add('sales_order', at);
    store.modifyDocument('sales_order', ref.id, at, { orderStatus: 'Shipped' });
    return ref.id;
  });
}

/** Every shipped order not skipped has exactly one receivable; no other receivable exists. */
function expectEachReceivableOnce(): void {
  const expected = shipped()
    .map((order) => String(order.amazonOrderId))
    .filter((id) => id !== SKIPPED.amazonOrderId)
    .sort();
  const posted = receivables();
  expect([...posted.keys()].sort()).toEqual(expected);
  expect([...posted.entries()].filter(([, bills]) => bills !== 1)).toEqual([]);
}

beforeAll(async () => {
  pipeline = await SaihuPipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-e2e-saihu-levels-')),
    topicPrefix: uniqueTopicPrefix('e2e-shx'),
    mongoDb: uniqueName('e2e_shx').replace(/-/g, '_'),
    logLevel: 'warn',
    perType: { sales_order: 24 },
    prepare: (saihu, day, kingdee) => {
      const paid = (saihu.store.query('sales_order', null) as Order[]).filter(
        (order) => order.orderStatus === 'Shipped',
      );
      if (paid.length < 4) throw new Error(`seed 19 gives ${paid.length} shipped orders, the test needs 4`);
      // Two orders placed on the 5th of last month; Kingdee's org 100 is closed through that day from the start.
      closedThrough = `${previousMonth(monthOf(day.toMs))}-05`;
      for (const order of paid.slice(0, 2)) {
        const version = saihu.store.versions('sales_order').find((candidate) => candidate.id === order.amazonOrderId)!;
        saihu.store.modifyDocument('sales_order', version.id, version.modifiedMs, {
          purchaseDate: `${closedThrough} 10:00:00`,
        });
      }
      [RETRIED, SKIPPED] = paid
        .slice(0, 2)
        .map((order) =>
          (saihu.store.query('sales_order', null) as Order[]).find(
            (candidate) => candidate.amazonOrderId === order.amazonOrderId,
          )!,
        ) as [Order, Order];
      kingdee.state.closePeriod('100', closedThrough);
    },
  });
  ledger = new Ledger(pipeline.db);
  await waitFor(
    async () =>
      receivables().size === shipped().length - 2 && (await ledger.list({ state: 'REJECTED' }, 100, 0)).length === 2,
    'every other receivable posted and the two of the closed period rejected',
    120_000,
  );
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
});

it('L2: receivables of a closed period wait (REJECTED) with Kingdee’s Chinese reason, the ladder retries, then they wait for a person', async () => {
  const listed = await admin('/documents?state=REJECTED&flow=receivable');
  expect(listed.status).toBe(200);
  expect(listed.json.documents.map((entry: Order) => entry.billNo).sort()).toEqual(
    [RETRIED.amazonOrderId, SKIPPED.amazonOrderId].sort(),
  );
  for (const entry of listed.json.documents as Order[]) {
    expect([entry.formId, entry.problem.level]).toEqual(['AR_receivable', 2]);
    expect(entry.problem.message).toContain(`已关账至${closedThrough}`);
  }
  // A person decides one stays out of Kingdee (booked by hand): skipped, with the reason, at once.
  const skipped = await admin(`/documents/${await ledgerIdOf(SKIPPED)}/skip`, { reason: SKIP_REASON });
  expect(skipped.status).toBe(200);
  expect(skipped.json.document).toMatchObject({
    state: 'SKIPPED',
    nextRetryAt: null,
    skipped: { by: OPERATOR.name, reason: SKIP_REASON },
  });
  // The other is retried by the ladder (2 s, 5 s, 10 s in the demo settings), refused each time, then waits.
  await waitFor(async () => (await entryOf(RETRIED))?.nextRetryAt === null, 'the retry ladder used up', 40_000);
  const waiting = (await entryOf(RETRIED))!;
  expect([waiting.state, waiting.level2Retries]).toEqual(['REJECTED', 3]);
  const history = await admin(`/documents/${await ledgerIdOf(RETRIED)}`);
  expect(history.json.transitions.filter((step: Order) => step.event === 'rejected').length).toBeGreaterThanOrEqual(4);
  expect(history.json.transitions.at(-1).detail).toContain('waiting for a person');
  expect(receivables().has(RETRIED.amazonOrderId)).toBe(false);
}, 60_000);

it('L2 fixed by a person: finance reopens the period, the operator re-pushes → posted once; the skipped one is never posted; both actions carry who', async () => {
  pipeline.kingdee.state.openPeriod('100');
  const repushed = await admin(`/documents/${await ledgerIdOf(RETRIED)}/repush`, {
    note: '财务已反结账 period reopened',
  });
  expect(repushed.status).toBe(200);
  expect(repushed.json.document).toMatchObject({ state: 'POSTED', stage: 'AUDITED', problem: null });
  expect(receivables().get(RETRIED.amazonOrderId)).toBe(1);
  const bill = [...pipeline.kingdee.state.bills.get('AR_receivable')!.values()].find(
    (candidate) => candidate.billNo === RETRIED.amazonOrderId,
  )!;
  expect(bill.status).toBe('C');
  // A second re-push of a posted document is refused, not posted twice.
  expect((await admin(`/documents/${await ledgerIdOf(RETRIED)}/repush`, {})).status).toBe(409);

  // The skipped one stays skipped with the period open: the scheduler passes it by (its interval is 1 s).
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect((await entryOf(SKIPPED))!.state).toBe('SKIPPED');
  expect(receivables().has(SKIPPED.amazonOrderId)).toBe(false);

  // Audit trail: the operator's name on both actions in the ledger history, the skip with its reason.
  const retriedSteps = (await admin(`/documents/${await ledgerIdOf(RETRIED)}`)).json.transitions as Order[];
  expect(
    retriedSteps.filter((step) => step.actor === OPERATOR.name).map((step) => [step.event, step.from, step.to]),
  ).toEqual([['claimed:repush', 'REJECTED', 'PENDING']]);
  expect(retriedSteps.at(-1)).toMatchObject({ event: 'posted', to: 'POSTED' });
  const skippedSteps = (await admin(`/documents/${await ledgerIdOf(SKIPPED)}`)).json.transitions as Order[];
  expect(skippedSteps.filter((step) => step.actor === OPERATOR.name).map((step) => [step.event, step.detail])).toEqual([
    ['skipped', SKIP_REASON],
  ]);
  expectEachReceivableOnce();
}, 30_000);

it('L3: Kingdee down while orders flow → the sink pauses (not ready, paused gauge), resumes from the break point, every receivable once', async () => {
  const before = receivables().size;
  const downUntil = Date.now() + 20_000;
  pipeline.kingdee.setFaults({
    outages: [{ from: new Date(Date.now() - 1_000).toISOString(), to: new Date(downUntil).toISOString() }],
  });
  const added = addShippedOrders(16);
  await waitFor(
    async () => (await fetch(`${sinkUrl()}/readyz`)).status === 503,
    'the sink not ready during the outage',
    18_000,
  );
  const metrics = await (await fetch(`${sinkUrl()}/metrics`)).text();
  expect(metrics).toMatch(/yecai_sink_paused_partitions\{[^}]*reason="target_unavailable"[^}]*\} [1-9]/);
  expect(Date.now()).toBeLessThan(downUntil);
  expect(receivables().size).toBe(before);
  const flows = await admin('/flows');
  expect(flows.json.lastOutage.error).toMatch(/503/);

  await waitFor(() => added.every((id) => receivables().has(id)), 'the orders of the outage posted after it', 60_000);
  expect(Date.now()).toBeGreaterThanOrEqual(downUntil);
  await waitFor(async () => (await fetch(`${sinkUrl()}/readyz`)).status === 200, 'the sink ready again', 10_000);
  expectEachReceivableOnce();
  expect((await ledger.list({ state: 'PARKED' }, 100, 0)).map((entry) => entry.billNo)).toEqual([]);
  expect((await ledger.list({ state: 'REJECTED' }, 100, 0)).map((entry) => entry.billNo)).toEqual([]);
}, 100_000);
