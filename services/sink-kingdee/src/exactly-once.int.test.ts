/** The posting kit's shared exactly-once suite against the Kingdee emulator: the same assertions as the in-memory target. */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { billsIn, sinkConfigFor } from '../test/sink-under-test';
import { canonical, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('Kingdee (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'sales_outstock',
    event: (key, version = 1) => canonical('sales_outstock', key, { version }),
    // A material Kingdee does not know: Save refuses the bill, naming the field (level 1).
    badEvent: (key) => canonical('sales_outstock', key, { lines: [{ material: 'NO-SUCH-MATERIAL' }] }),
    // A newer version of an audited bill is reversed and re-posted onto the same bill (the suite's update case).
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({ config: parseSinkConfig(sinkConfigFor(emulator, { groupId, batchSize: 5, chunksInFlight: 2, flows: [{ documentType: 'sales_outstock', onModified: 'reverse_and_repost' }] }), 'test sink config'), kafka, serde, db, metricsRegistry }),
    async written(prefix) {
      const counts = new Map<string, number>();
      for (const bill of billsIn(emulator, 'SAL_OUTSTOCK', prefix)) counts.set(bill.billNo, (counts.get(bill.billNo) ?? 0) + 1);
      return counts;
    },
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count, lostAnswerHangMs: 0 }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});
