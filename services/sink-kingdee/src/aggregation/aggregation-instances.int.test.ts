/**
 * Two sink instances on one database (real Kafka consumer group, FerretDB, Kingdee emulator) close the same groups
 * at the same time while newer versions of their documents arrive (some moving to another warehouse): the bill
 * `_id` keeps the closers apart per group, the documents' chain slots decide "newer version vs freeze". The
 * emulator must end with every document in exactly one entry, carrying the version its chain froze; a newest
 * version that is not carried is recorded as ignored.
 */
import { createMetricsRegistry, Decimal } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { AvroSerde } from '@yecai/kafka';
import { testEndpoints, testKafka, waitFor } from '@yecai/test-harness';
import { canonical, startEmulator } from '../../test/fixtures';
import { billsIn, sinkConfigFor, startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../../test/sink-under-test';
import { parseSinkConfig } from '../config';
import { SinkService } from '../service';
import { kindOf, revisionOf } from '@yecai/sink-kit';

describe('aggregated versions with two instances closing concurrently (real Kafka + FerretDB + Kingdee emulator)', () => {
  let emulator: KingdeeEmulator;
  let sink: SinkUnderTest | undefined;
  let other: SinkService | undefined;
  const otherKafka = testKafka();
  afterAll(async () => {
    await other?.stop();
    await otherKafka.disconnect();
    await sink?.stop();
    await emulator?.close();
  });

  it('every document once, in the version its chain froze, whichever instance closed its group', async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    emulator.state.addStock('100', 'A1001-BLK', 'CK002', '0', new Decimal(100));
    const overrides = {
      batchSize: 2,
      flows: [{ documentType: 'sales_outstock' as const, aggregation: { groupBy: ['customer', 'lines.warehouse', 'date'], entries: 'list' as const, billNumberPattern: 'KI-{warehouse}-{keyHash}-{seq}', close: { afterDays: 36_500, at: '02:00' }, checkIntervalMs: 300 } }],
    };
    sink = await startSinkUnderTest(emulator, overrides);
    // The second instance: same configuration, same database, same consumer group.
    other = new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, overrides), 'second instance'), kafka: otherKafka, serde: new AvroSerde(testEndpoints().schemaRegistryUrl), db: sink.db, metricsRegistry: createMetricsRegistry('sink-kingdee-test-2') });
    await other.start();
    const instances = [sink.service, other];
    const store = sink.service.aggregation.store;

    const ids = Array.from({ length: 10 }, (_, i) => `KID-${i + 1}`);
    const expected = new Map<string, string>();
    const newest = new Map<string, string>();
    const event = (id: string, version: number, qty: string, warehouse = 'CK001') => {
      // Two documents per business date: groups of two, so one close freezes several documents.
      const date = `2026-11-${String(Math.ceil(Number(id.split('-')[1]) / 2)).padStart(2, '0')}`;
      const document = canonical('sales_outstock', id, { version, date, lines: [{ qty, warehouse }] });
      const hash = (document.source as { contentHash: string }).contentHash;
      expected.set(hash, `${id} ${qty} ${warehouse}`);
      newest.set(id, hash);
      return document;
    };
    const pause = (maxMs: number) => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * maxMs)));
    /** Both instances close every open group, each in its own random order, several times. */
    const closeRace = async () => {
      await Promise.all(
        instances.map(async (instance, n) => {
          for (let round = 0; round < 3; round++) {
            await pause(120);
            const groups = await instance.aggregation.openGroups('sales_outstock');
            for (const { keyHash } of groups.sort(() => Math.random() - 0.5)) await instance.aggregation.closeNow('sales_outstock', `instance-${n}`, keyHash).catch(() => undefined);
          }
        }),
      );
    };

    await sink.produce('sales_outstock', ids.map((id) => event(id, 1, '1')));
    await waitFor(async () => (await store.members.countDocuments({})) === ids.length, 'first versions recorded', 60_000);
    for (const [version, subset] of [
      [2, ids.slice(0, 6)],
      [3, ids.slice(2, 9)],
      [4, ids.slice(5)],
    ] as const) {
      const versions = subset.map((id, i) => event(id, version, String(version + i), i % 3 === 0 ? 'CK002' : 'CK001'));
      // The closes start somewhere inside the stream of versions: some land before their group's freeze, some after.
      const racing = pause(400).then(closeRace);
      for (let i = 0; i < versions.length; i += 2) {
        await sink.produce('sales_outstock', versions.slice(i, i + 2));
        await pause(100);
      }
      await racing;
    }
    await waitFor(
      async () => {
        await Promise.all(instances.map((instance, n) => instance.aggregation.closeNow('sales_outstock', `final-${n}`).catch(() => undefined)));
        const frozen = new Set((await store.documents.find({ kind: 'frozen' }).toArray()).map((record) => record.documentKey));
        const seen = new Set((await store.documents.find({}).toArray()).map((record) => record.version));
        for (const record of await store.ignored.find({}).toArray()) seen.add(record.version);
        const bills = await store.bills.countDocuments({});
        const settled = await store.settled.countDocuments({});
        const entries = await sink!.entries();
        return frozen.size === ids.length && [...newest.values()].every((hash) => seen.has(hash)) && settled === bills && entries.every((entry) => entry.state === 'POSTED');
      },
      'every document frozen, every newest version accounted for, every bill settled and POSTED',
      180_000,
    );

    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'KI-');
    const records = await store.bills.find({}).toArray();
    const seals = await store.sealed.find({}).toArray();
    const carriedBills = records.filter((record) => seals.find((seal) => seal._id === record._id)!.memberIds.length > 0);
    expect(new Set(bills.map((bill) => bill.billNo)).size).toBe(bills.length);
    expect(bills.map((bill) => bill.billNo).sort()).toEqual(carriedBills.map((record) => record.billNo).sort());
    expect(bills.every((bill) => bill.status === 'C')).toBe(true);
    const rows = bills.flatMap((bill) => bill.entries.map((entry) => ({ note: String(entry.fields.FEntrynote), qty: String(entry.fields.FRealQty), warehouse: JSON.stringify(entry.fields.FStockID) })));
    expect(rows.map((row) => row.note).sort()).toEqual([...ids].sort());
    const ignored = await store.ignored.find({}).toArray();
    for (const id of ids) {
      const chain = (await store.documents.find({ documentKey: `jushuitan/demo/sales_outstock/${id}` }).toArray()).sort((a, b) => revisionOf(a) - revisionOf(b));
      const frozen = chain.at(-1)!;
      expect(kindOf(frozen)).toBe('frozen');
      const carried = chain.find((record) => revisionOf(record) === revisionOf(frozen) - 1)!.version!;
      const [note, qty, warehouse] = expected.get(carried)!.split(' ');
      const row = rows.find((candidate) => candidate.note === note)!;
      expect(`${row.qty} ${row.warehouse.includes(warehouse!)}`).toBe(`${qty} true`);
      if (carried !== newest.get(id)) expect(ignored.some((record) => record.version === newest.get(id) && record.reason === 'after_freeze')).toBe(true);
    }
    const closers = new Set(records.map((record) => record.closedBy.replace(/^operator:/, '')));
    process.stdout.write(
      `[aggregation instances test] ${records.length} bill records (${records.length - carriedBills.length} empty) closed by ${[...closers].join(', ')}; ${seals.filter((seal) => seal.excluded.length > 0).length} seals left members out; ${ignored.length} versions ignored after the freeze\n`,
    );
  }, 300_000);
});
