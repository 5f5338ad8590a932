/**
 * The posting kit's shared exactly-once suite for Kingdee 直接调拨单 → 旺店通调拨单 (stock_transfer_push.php) against
 * the WDT emulator: Kafka delivering twice, answers lost after the push landed (resolved by the outer-number query on
 * stock_transfer_query), an outage, a restart plus replay (a later version of a pushed transfer parks: WDT cannot change
 * it), bad data parked at level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { documentCounts, omsTransfer, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('旺店通 WDT 调拨 transfer (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'oms_transfer',
    immutable: true,
    event: (key, version = 1) => omsTransfer(key, { version }),
    // A quantity WDT refuses (调拨数量必须大于0), level 1 naming lines[].quantity.
    badEvent: (key) => omsTransfer(key, { quantity: '0' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId, flows: [{ documentType: 'oms_transfer' }] }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    written: async (prefix) => documentCounts(emulator, prefix, 'transfer'),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
