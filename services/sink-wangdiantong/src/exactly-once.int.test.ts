/**
 * The posting kit's shared exactly-once suite against the 旺店通 emulator: Kafka delivering twice, answers lost after
 * the push landed (resolved by the outer-number query), an outage, a restart plus replay (a later version of a pushed
 * stock-in parks: WDT cannot change it), bad data parked at level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { documentCounts, omsPurchaseInstock, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('旺店通 WDT purchase in-stock (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'oms_purchase_instock',
    immutable: true,
    event: (key, version = 1) => omsPurchaseInstock(key, { version }),
    // A 商家编码 WDT does not know: refused (商家编码 … 不存在), level 1 naming lines[].sku.
    badEvent: (key) => omsPurchaseInstock(key, { sku: 'NO-SUCH-SPEC' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    written: async (prefix) => documentCounts(emulator, prefix),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
