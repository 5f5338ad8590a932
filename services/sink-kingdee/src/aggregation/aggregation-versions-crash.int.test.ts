/**
 * Versions of aggregated documents survive SIGKILL: the sink runs as a real child process (ServiceProcess) and is
 * killed while newer versions are being recorded (some moving to another warehouse) and groups are being frozen,
 * sealed and posted at the same time. The emulator must end with every source document in exactly one entry of
 * one summary bill, carrying the version its chain froze; a newer version that is not carried must be recorded as
 * ignored (visible), never lost.
 */
import { Decimal } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { AvroSerde } from '@yecai/kafka';
import { testEndpoints, testKafka, testMongo, waitFor } from '@yecai/test-harness';
import { canonical, startEmulator } from '../../test/fixtures';
import { TOKENS, billsIn, producerFor, sinkChildProcess, sinkConfigFor, useUniqueTopicPrefix } from '../../test/sink-under-test';
import { Ledger } from '../ledger';
import { AggregationStore, kindOf, revisionOf } from '@yecai/sink-kit';

describe('aggregated versions with SIGKILL while versions are recorded and groups frozen (child process, real Kafka + FerretDB + emulator)', () => {
  let emulator: KingdeeEmulator;
  afterAll(() => emulator?.close());

  it('every document once, in the version its chain froze; a newer version not carried is recorded as ignored', async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    emulator.setFaults({ latencyMs: { min: 300, max: 900 } });
    emulator.state.addStock('100', 'A1001-BLK', 'CK002', '0', new Decimal(100));
    const mongo = await testMongo('aggvercrash');
    const ledger = new Ledger(mongo.db);
    const store = new AggregationStore(mongo.db);
    const kafka = testKafka();
    const aggregation = { groupBy: ['customer', 'lines.warehouse', 'date'], entries: 'list', maxEntries: 5, billNumberPattern: 'KV-{warehouse}-{keyHash}-{seq}', close: { afterDays: 36_500, at: '02:00' }, checkIntervalMs: 1_000 };
    const config = sinkConfigFor(emulator, { batchSize: 3, staleInFlightMs: 3_000, sessionTimeoutMs: 6_000, flows: [{ documentType: 'sales_outstock', aggregation } as never] });
    const { sink, port } = await sinkChildProcess(config, mongo.db, 'sink-aggver-crash');
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}/admin${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.operator}` } });
    const closeNow = (keyHash?: string) => admin('/aggregation/sales_outstock/close', { method: 'POST', body: JSON.stringify(keyHash ? { keyHash } : {}) }).catch(() => undefined); // the kill may cut the answer off
    /** Closes the open groups one at a time, in random order (each document has a group of its own: its date). */
    const closeEach = async () => {
      try {
        const { groups } = (await (await admin('/aggregation/groups?flow=sales_outstock')).json()) as { groups: { keyHash: string }[] };
        for (const { keyHash } of groups.sort(() => Math.random() - 0.5)) await closeNow(keyHash);
      } catch {
        // killed
      }
    };
    const pause = (maxMs: number) => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * maxMs)));
    const killSoon = async (maxMs: number) => {
      await pause(maxMs);
      await sink.kill();
    };
    const produce = await producerFor(kafka, new AvroSerde(testEndpoints().schemaRegistryUrl));
    const ids = Array.from({ length: 12 }, (_, i) => `KVD-${i + 1}`);
    /** contentHash → what the bill row must say when that version is carried; and each document's newest version. */
    const expected = new Map<string, string>();
    const newest = new Map<string, string>();
    const event = (id: string, version: number, qty: string, warehouse = 'CK001') => {
      const date = `2026-11-${id.split('-')[1]!.padStart(2, '0')}`;
      const document = canonical('sales_outstock', id, { version, date, lines: [{ qty, warehouse }] });
      const hash = (document.source as { contentHash: string }).contentHash;
      expected.set(hash, `${id} ${qty} ${warehouse}`);
      newest.set(id, hash);
      return document;
    };
    /** Newer versions in small batches while the groups close one by one; then a SIGKILL. */
    const raceAndKill = async (versions: Record<string, unknown>[], killWithinMs: number) => {
      const closing = closeEach();
      for (let i = 0; i < versions.length; i += 2) {
        await produce('sales_outstock', versions.slice(i, i + 2));
        await pause(150);
      }
      await killSoon(killWithinMs);
      await closing;
    };
    let kills = 0;
    try {
      sink.start();
      await sink.waitReady(90_000);
      await produce('sales_outstock', ids.map((id) => event(id, 1, '1')));
      await waitFor(async () => (await store.members.countDocuments({})) === ids.length, 'first versions recorded', 90_000);

      // 1. Newer versions (three change the quantity, three move to CK002) race the closes; killed mid-way.
      await raceAndKill([...ids.slice(0, 3).map((id) => event(id, 2, '3')), ...ids.slice(3, 6).map((id) => event(id, 2, '2', 'CK002'))], 600);
      kills++;

      // 2. Restart: the replay completes what was cut off and bills frozen before the kill are sealed and posted;
      // more versions (one moving back to CK001) race the closes again.
      sink.start();
      await sink.waitReady(90_000);
      await raceAndKill([...ids.slice(6, 9).map((id) => event(id, 3, '4', 'CK002')), event('KVD-4', 3, '7'), ...ids.slice(0, 2).map((id) => event(id, 3, '5'))], 600);
      kills++;

      // 3. Once more with the last documents.
      sink.start();
      await sink.waitReady(90_000);
      await raceAndKill([...ids.slice(9).map((id) => event(id, 2, '6', 'CK002')), event('KVD-7', 4, '8')], 800);
      kills++;

      // 4. Final run: close until every document is frozen, its newest version carried or recorded as ignored, and
      // every bill settled.
      sink.start();
      await sink.waitReady(90_000);
      await waitFor(
        async () => {
          await closeNow();
          const chains = await store.documents.find({ kind: 'frozen' }).toArray();
          const bills = await store.bills.find({}).toArray();
          const settled = await store.settled.find({}).toArray();
          const entries = await ledger.current();
          const seen = new Set((await store.documents.find({}).toArray()).map((record) => record.version));
          for (const record of await store.ignored.find({}).toArray()) seen.add(record.version);
          return new Set(chains.map((record) => record.documentKey)).size === ids.length && [...newest.values()].every((hash) => seen.has(hash)) && settled.length === bills.length && entries.every((entry) => entry.state === 'POSTED');
        },
        'every document frozen, every bill sealed, settled and POSTED',
        240_000,
      );
    } finally {
      await sink.dispose();
      await kafka.disconnect();
    }

    try {
      const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'KV-');
      const records = await store.bills.find({}).toArray();
      const seals = await store.sealed.find({}).toArray();
      const posted = records.filter((record) => seals.find((seal) => seal._id === record._id)!.memberIds.length > 0);
      // Each non-empty summary bill exactly once in Kingdee, audited.
      expect(new Set(bills.map((bill) => bill.billNo)).size).toBe(bills.length);
      expect(bills.map((bill) => bill.billNo).sort()).toEqual(posted.map((record) => record.billNo).sort());
      expect(bills.every((bill) => bill.status === 'C')).toBe(true);
      // Every source document in exactly one entry, with the quantity and warehouse of the version its chain froze.
      const rows = bills.flatMap((bill) => bill.entries.map((entry) => ({ note: String(entry.fields.FEntrynote), qty: String(entry.fields.FRealQty), warehouse: JSON.stringify(entry.fields.FStockID) })));
      expect(rows.map((row) => row.note).sort()).toEqual([...ids].sort());
      const ignored = await store.ignored.find({}).toArray();
      let replaced = 0;
      for (const id of ids) {
        const chain = (await store.documents.find({ documentKey: `jushuitan/demo/sales_outstock/${id}` }).toArray()).sort((a, b) => revisionOf(a) - revisionOf(b));
        const frozen = chain.at(-1)!;
        expect(kindOf(frozen)).toBe('frozen');
        const carried = chain.find((record) => revisionOf(record) === revisionOf(frozen) - 1)!.version!;
        const [note, qty, warehouse] = expected.get(carried)!.split(' ');
        const row = rows.find((candidate) => candidate.note === note)!;
        expect(`${row.qty} ${row.warehouse.includes(warehouse!)}`).toBe(`${qty} true`);
        // Never lost: a newest version that is not carried is recorded as ignored after the freeze (visible).
        if (carried !== newest.get(id)) expect(ignored.some((record) => record.version === newest.get(id) && record.reason === 'after_freeze')).toBe(true);
        if (revisionOf(frozen) > 2) replaced++;
      }
      process.stdout.write(
        `[aggregation versions crash test] ${kills} SIGKILLs; ${bills.length} summary bills (${records.length - posted.length} empty); ${replaced} documents carried in a newer version, ${ignored.length} versions ignored after the freeze; ${seals.filter((seal) => seal.excluded.length > 0).length} seals left members out\n`,
      );
      expect(kills).toBe(3);
    } finally {
      await mongo.close();
    }
  }, 900_000);
});
