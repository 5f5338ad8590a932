/**
 * The posting kit's shared exactly-once suite for Kingdee 其他入库单 / 其他出库单 → 旺店通 其他入库 / 其他出库
 * (stockin_order_push.php / stockout_order_push.php) against the WDT emulator: Kafka delivering twice, answers lost
 * after the push landed (resolved by the outer-number query on stockin_order_query / stockout_order_query), an
 * outage, a restart plus replay (a later version of a pushed bill parks: WDT cannot change it), bad data parked at
 * level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { documentCounts, omsOtherInstock, omsOtherOutstock, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

for (const kind of [
  { name: '其他入库 other in-stock', documentType: 'oms_other_instock', event: omsOtherInstock, wdtType: 'other_in' },
  { name: '其他出库 other out-stock', documentType: 'oms_other_outstock', event: omsOtherOutstock, wdtType: 'other_out' },
] as const) {
  describeExactlyOnceSuite(`旺店通 WDT ${kind.name} (emulator)`, async () => {
    const emulator = await startEmulator();
    return {
      documentType: kind.documentType,
      immutable: true,
      event: (key, version = 1) => kind.event(key, { version }),
      // A quantity WDT refuses (…数量必须大于0), level 1 naming lines[].quantity.
      badEvent: (key) => kind.event(key, { quantity: '0' }),
      service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
        new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId, flows: [{ documentType: kind.documentType }] }), 'test sink config'), kafka, serde, db, metricsRegistry }),
      written: async (prefix) => documentCounts(emulator, prefix, kind.wdtType),
      loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
      setDown: (down) => emulator.setFaults({ down }),
      close: () => emulator.close(),
    };
  });
}
