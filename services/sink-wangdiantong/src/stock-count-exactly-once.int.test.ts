/**
 * The posting kit's shared exactly-once suite for Kingdee 盘盈单 / 盘亏单 → 旺店通盘点单 (stock_sync_by_pd.php) against the
 * WDT emulator: Kafka delivering twice, answers lost after the 盘点单 landed (resolved by the outer-number query on
 * stock_pd_order_query), an outage, a restart plus replay (a later version of a pushed bill parks: WDT cannot change
 * it), bad data parked at level 1 naming the field.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { documentCounts, omsStockCount, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('旺店通 WDT 盘点 stock count (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'oms_stock_count',
    immutable: true,
    event: (key, version = 1) => omsStockCount(key, { version }),
    // A counted stock WDT refuses (盘点数量不能小于0), level 1 naming lines[].countedQuantity.
    badEvent: (key) => omsStockCount(key, { counted: '-1' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId, flows: [{ documentType: 'oms_stock_count' }] }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    written: async (prefix) => documentCounts(emulator, prefix, 'stock_pd'),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
