/**
 * The posting kit's shared exactly-once suite against the 领星 emulator: Kafka delivering twice, answers lost after
 * product/set landed (resolved by reading the sku back), an outage, a restart plus replay (a later version of a
 * material updates the same product), bad data parked at level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { omsGoods, productCounts, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('领星 products (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'oms_goods',
    event: (key, version = 1) => omsGoods(key, { version }),
    // No name for a new product: 领星 refuses it (product_name 不能为空), level 1 naming name.
    badEvent: (key) => omsGoods(key, { name: '' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    written: async (prefix) => productCounts(emulator, prefix),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
