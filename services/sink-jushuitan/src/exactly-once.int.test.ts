/**
 * The posting kit's shared exactly-once suite against the 聚水潭 emulator: Kafka delivering twice, answers lost after
 * the upload landed (resolved by the sku_id query), an outage, a restart plus replay (a later version of a material
 * updates the same goods), bad data parked at level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { goodsCounts, omsGoods, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('聚水潭 JST goods (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'oms_goods',
    event: (key, version = 1) => omsGoods(key, { version }),
    // No 款式编码 for new goods: JST refuses the item (款式编码(i_id)不能为空), level 1 naming styleCode.
    badEvent: (key) => omsGoods(key, { styleCode: '' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    written: async (prefix) => goodsCounts(emulator, prefix),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
