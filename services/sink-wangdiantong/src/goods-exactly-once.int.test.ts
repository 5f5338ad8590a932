/**
 * The posting kit's shared exactly-once suite for Kingdee materials → 旺店通 goods (goods_push.php) against the WDT
 * emulator: Kafka delivering twice, answers lost after the push landed (resolved by the spec_no query), an outage, a
 * restart plus a replay of the topic from its start (no second goods or spec row; a newer version updates the same
 * goods), bad data parked at level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { omsGoods, sinkConfigFor, specCounts, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('旺店通 WDT goods (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'oms_goods',
    event: (key, version = 1) => omsGoods(key, { version }),
    // No name for new goods: WDT refuses the push (货品名称(goods_name)不能为空), level 1 naming name.
    badEvent: (key) => omsGoods(key, { name: '' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId, flows: [{ documentType: 'oms_goods' }] }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    written: async (prefix) => specCounts(emulator, prefix),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
