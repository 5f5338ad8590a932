/**
 * End to end: the Kingdee sink posts bills, an operator replays its consumer group to the earliest offset, the sink
 * starts again and reads every message a second time — and Kingdee gets no second bill and no second write.
 */
import { createMetricsRegistry } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { topics, type KafkaClient } from '@yecai/kafka';
import { SinkService, parseSinkConfig } from '@yecai/sink-kingdee';
import { canonical, startEmulator } from '@yecai/sink-kingdee/test/fixtures';
import { billsIn, sinkConfigFor, startSinkUnderTest, useUniqueTopicPrefix } from '@yecai/sink-kingdee/test/sink-under-test';
import { uniqueName, waitFor } from '@yecai/test-harness';
import { applyReplay, planReplay } from './replay';

async function caughtUp(kafka: KafkaClient, groupId: string, topic: string): Promise<boolean> {
  const admin = await kafka.admin();
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const marks = await admin.fetchTopicOffsets(topic);
  return marks.every((mark) => {
    const offset = committed?.partitions.find((p) => p.partition === mark.partition)?.offset ?? '-1';
    return mark.high === '0' || BigInt(offset) >= BigInt(mark.high);
  });
}

describe('replay of the Kingdee sink (real Kafka + FerretDB + Kingdee emulator)', () => {
  let emulator: KingdeeEmulator;
  afterAll(() => emulator?.close());

  it('reprocesses every message after a replay to earliest without a second bill or a second Kingdee write', async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    const groupId = uniqueName('yecai-sink-replay');
    const sink = await startSinkUnderTest(emulator, { groupId });
    const topic = topics.canonical('sales_outstock');
    const billPrefix = `RP${Date.now().toString(36).toUpperCase()}`;
    const ids = Array.from({ length: 6 }, (_, i) => `${billPrefix}-${i + 1}`);
    let second: SinkService | undefined;
    try {
      await sink.produce('sales_outstock', ids.map((id) => canonical('sales_outstock', id)));
      await sink.waitForStates({ POSTED: ids.length }, 'every bill posted');
      await waitFor(() => caughtUp(sink.kafka, groupId, topic), 'the sink to commit its offsets');
      expect(billsIn(emulator, 'SAL_OUTSTOCK', billPrefix)).toHaveLength(ids.length);
      const callsBefore = await sink.service.ledger.calls.countDocuments({});
      expect(callsBefore).toBeGreaterThan(0);

      await sink.service.stop();
      const plan = await planReplay(sink.kafka, groupId, [topic], { kind: 'earliest' });
      expect(plan.activeMembers).toBe(0);
      expect(plan.partitions.reduce((sum, p) => sum + p.reprocess, 0)).toBe(ids.length);
      await applyReplay(sink.kafka, plan);

      const config = parseSinkConfig(sinkConfigFor(emulator, { groupId }), 'replayed sink config');
      second = new SinkService({ config, kafka: sink.kafka, serde: sink.serde, db: sink.db, metricsRegistry: createMetricsRegistry('sink-replayed') });
      await second.start();
      // Caught up again = every replayed message was read and its offset committed after the ledger decided.
      await waitFor(() => caughtUp(sink.kafka, groupId, topic), 'the replayed sink to catch up', 90_000);

      expect(billsIn(emulator, 'SAL_OUTSTOCK', billPrefix)).toHaveLength(ids.length);
      expect(await sink.service.ledger.calls.countDocuments({})).toBe(callsBefore);
      const entries = await sink.entries();
      expect(entries.map((entry) => entry.state)).toEqual(ids.map(() => 'POSTED'));
    } finally {
      await second?.stop();
      await sink.stop();
    }
  });
});
