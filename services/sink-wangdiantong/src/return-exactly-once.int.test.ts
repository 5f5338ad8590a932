/**
 * The posting kit's shared exactly-once suite for Kingdee 采购退料单 → 旺店通 purchase returns (purchase_return_push.php)
 * against the WDT emulator: Kafka delivering twice, answers lost after the push landed (resolved by the outer-number
 * query on stockout_order_query_return), an outage, a restart plus replay (a later version of a pushed return parks:
 * WDT cannot change it), bad data parked at level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { documentCounts, omsPurchaseReturn, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('旺店通 WDT purchase return (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'oms_purchase_return',
    immutable: true,
    event: (key, version = 1) => omsPurchaseReturn(key, { version }),
    // A quantity WDT refuses (退货数量必须大于0), level 1 naming lines[].quantity.
    badEvent: (key) => omsPurchaseReturn(key, { quantity: '0' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId, flows: [{ documentType: 'oms_purchase_return' }] }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    written: async (prefix) => documentCounts(emulator, prefix, 'purchase_return'),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
