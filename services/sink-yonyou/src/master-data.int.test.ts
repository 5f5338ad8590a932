/**
 * Master data through sink-yonyou (real Kafka + MongoDB-wire + schema registry + the YonSuite emulator): the posting
 * kit's shared exactly-once suite for 物料 (MDD upsert) and 供应商 (batchSaveV2, no MDD) — "written once" here means
 * the record exists once and was assigned (多组织分配) by one call — then a restart between the save and the
 * assignment, the refusals each API answers in its own envelope, and a sales out-stock naming a material created so.
 */
import { createMetricsRegistry } from '@yecai/common';
import { AvroSerde } from '@yecai/kafka';
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import type { YonyouEmulator } from '@yecai/emulator-yonyou';
import {
  canonicalProducer,
  testEndpoints,
  testKafka,
  testMongo,
  uniqueName,
  uniqueTopicPrefix,
  waitFor,
} from '@yecai/test-harness';
import { createHash } from 'node:crypto';
import { canonical, sinkConfigFor, startEmulator, startSink } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

/** Orgs 101 and 102 besides the emulator tenant's 100, to assign records to. */
const ORGS: [string, string][] = [
  ['101', '华东公司'],
  ['102', '华南公司'],
];
const mapping = { flow: 'wangdiantong/test', ruleVersion: 'test-1', mappedAt: 1_763_600_000_000 };

function masterEvent(
  documentType: 'material' | 'customer' | 'supplier',
  number: string,
  version = 1,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const head = {
    source: {
      sourceSystem: 'wangdiantong',
      account: 'demo',
      documentType,
      sourceId: number,
      sourceModifiedAt: 1_763_600_000_000 + version * 1000,
      contentHash: createHash('sha256').update(`${documentType}/${number}/v${version}`).digest('hex'),
      rawTopic: `raw.wangdiantong.${documentType}`,
      rawPartition: 0,
      rawOffset: version,
    },
    mapping,
    number,
    name: `测试 ${number} v${version}`,
    createOrg: '100',
    useOrgs: ['100'],
    enabled: true,
  };
  const own = {
    material: {
      barcode: null,
      specification: null,
      baseUnit: 'Pcs',
      batchManaged: false,
      defaultBatch: null,
      soldOnline: true,
    },
    customer: { tradingCurrencyNumber: 'PRE001', group: null },
    supplier: { payCurrencyNumber: 'PRE001', role: 'GOODS' },
  }[documentType];
  return { ...head, ...own, ...extra };
}

/** Records per code starting with `prefix`, each counted by its assign calls: 1 = saved and assigned once. */
function assignedOnce(emulator: YonyouEmulator, type: 'product' | 'vendor', prefix: string): Map<string, number> {
  return new Map(
    emulator.masterData
      .all(type)
      .filter((record) => record.code.startsWith(prefix))
      .map((record) => [record.code, record.assignedOrgs.join(',') === '101' ? record.assignCalls : 0]),
  );
}

function describeMasterSuite(
  name: string,
  documentType: 'material' | 'supplier',
  classCode: string,
  badEvent: (key: string) => Record<string, unknown>,
): void {
  describeExactlyOnceSuite(name, async () => {
    const emulator = await startEmulator({ references: { org: ORGS } });
    return {
      documentType,
      event: (key, version = 1) => masterEvent(documentType, key, version),
      badEvent,
      service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
        new SinkService({
          config: parseSinkConfig(
            sinkConfigFor(emulator, { groupId, flows: [{ documentType, classCode, assignToOrgs: ['101'] }] }),
            'test sink config',
          ),
          kafka,
          serde,
          db,
          metricsRegistry,
        }),
      written: async (prefix) => assignedOnce(emulator, documentType === 'material' ? 'product' : 'vendor', prefix),
      loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
      setDown: (down) => emulator.setFaults({ down }),
      close: () => emulator.close(),
    };
  });
}

// A unit YonSuite does not know: 999 主计量单位(unitCode)[Box]不存在, level 1 naming unit.
describeMasterSuite('YonSuite 物料, MDD upsert + assignOrg (emulator)', 'material', 'WL01', (key) =>
  masterEvent('material', key, 1, { baseUnit: 'Box' }),
);

// An unknown org: refused inside code 200 (failCount 1), level 1 naming org.
describeMasterSuite('YonSuite 供应商, batchSaveV2 + addvendorsuitorg (emulator)', 'supplier', 'GYS01', (key) =>
  masterEvent('supplier', key, 1, { createOrg: '999', useOrgs: ['999'] }),
);

describe('YonSuite master data (real Kafka + MongoDB-wire + schema registry + emulator)', () => {
  beforeEach(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('yonyou-md');
  });

  it('a sink stopped between the save and the assignment (ledger SAVED, nothing assigned): the next one assigns once', async () => {
    const emulator = await startEmulator({ references: { org: ORGS } });
    const kafka = testKafka();
    const serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
    const mongo = await testMongo('sink-yonyou-md');
    const service = (registry: string) =>
      new SinkService({
        config: parseSinkConfig(
          sinkConfigFor(emulator, {
            groupId: uniqueName('md-group'),
            flows: [{ documentType: 'material', classCode: 'WL01', assignToOrgs: ['101', '102'] }],
          }),
          'test sink config',
        ),
        kafka,
        serde,
        db: mongo.db,
        metricsRegistry: createMetricsRegistry(registry),
      });
    const first = service('md-first');
    let second: SinkService | undefined;
    try {
      // The save lands and is answered; then YonSuite goes down, so the assignment never happens in this process.
      emulator.masterData.onSaved = () => emulator.setFaults({ down: true });
      await first.start();
      await canonicalProducer(kafka, serde)('material', [masterEvent('material', 'KILL-1')]);
      await waitFor(
        async () => (await first.ledger.current()).some((entry) => entry.stage === 'SAVED'),
        'KILL-1 saved',
        60_000,
      );
      await waitFor(() => !first.isReady, 'the sink paused on the outage', 60_000);
      await first.stop();
      const [atCrash] = await first.ledger.current();
      expect(atCrash).toMatchObject({ state: 'PENDING', stage: 'SAVED' });
      expect(atCrash!.allocatedOrgs ?? []).toEqual([]);
      expect(emulator.masterData.get('product', 'KILL-1')).toMatchObject({ assignedOrgs: [], assignCalls: 0 });

      // A new process (a new consumer group: it reads the event again) finds the record by code and assigns it.
      emulator.masterData.onSaved = undefined;
      emulator.setFaults({ down: false });
      second = service('md-second');
      await second.start();
      await waitFor(
        async () => (await second!.ledger.current()).map((entry) => entry.state).join() === 'POSTED',
        'KILL-1 POSTED by the second process',
        60_000,
      );
      const [entry] = await second.ledger.current();
      expect(entry).toMatchObject({ state: 'POSTED', stage: 'SAVED', allocatedOrgs: ['101', '102'] });
      const events = (await second.ledger.history(entry!._id)).map((step) => step.event);
      expect(events.filter((event) => event === 'saved')).toHaveLength(1);
      expect(events.filter((event) => event === 'assigned')).toHaveLength(1);
      expect(
        emulator.masterData.all('product').map((record) => [record.code, record.assignedOrgs, record.assignCalls]),
      ).toEqual([['KILL-1', ['101', '102'], 1]]);
    } finally {
      await second?.stop();
      await kafka.disconnect();
      await mongo.close();
      await emulator.close();
    }
  });

  it('each API’s refusal parks at level 1 with its message: 客户 code 0, 供应商 inside code 200, an unknown assign org', async () => {
    const emulator = await startEmulator({ references: { org: ORGS } });
    const sink = await startSink(emulator, {
      flows: [
        { documentType: 'customer', classCode: 'KH99' },
        { documentType: 'supplier', classCode: 'GYS99' },
        { documentType: 'material', classCode: 'WL01', assignToOrgs: ['777'] },
      ],
    });
    try {
      await sink.produce('customer', [masterEvent('customer', 'REF-C')]);
      await sink.produce('supplier', [masterEvent('supplier', 'REF-S')]);
      await sink.produce('material', [masterEvent('material', 'REF-M')]);
      const entries = await sink.waitForStates({ PARKED: 3 }, 'three records parked');
      const problem = (billNo: string) => entries.find((entry) => entry.billNo === billNo)?.problem;
      expect(problem('REF-C')).toMatchObject({
        level: 1,
        message: expect.stringContaining('客户分类(customerClassCode)[KH99]不存在'),
      });
      expect(problem('REF-S')).toMatchObject({
        level: 1,
        message: expect.stringContaining('供应商分类(vendorclass_code)[GYS99]不存在'),
      });
      expect(problem('REF-M')).toMatchObject({
        level: 1,
        field: 'assignToOrgs',
        message: expect.stringContaining('组织[777]不存在'),
      });
      // The material was saved (its assignment is what failed); the others were not.
      expect(emulator.masterData.all('product').map((record) => record.code)).toEqual(['REF-M']);
      expect([emulator.masterData.all('merchant'), emulator.masterData.all('vendor')]).toEqual([[], []]);
    } finally {
      await sink.stop();
      await emulator.close();
    }
  });

  it('a 客户 code YonSuite already holds, refused by an insert-only newinsert (编码…已存在): adopted, not parked', async () => {
    const emulator = await startEmulator();
    const flows = [{ documentType: 'customer' as const }];
    const first = await startSink(emulator, { flows });
    try {
      await first.produce('customer', [masterEvent('customer', 'ADOPT-C')]);
      await first.waitForStates({ POSTED: 1 }, 'ADOPT-C saved by the first sink');
    } finally {
      await first.stop();
    }
    // A sink whose ledger never heard of it (another ledger database), against a tenant that refuses known codes; a
    // newer version, so the gateway does not replay the first save's answer (a new resubmitCheckKey).
    emulator.masterData.merchantInsertOnly = true;
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('yonyou-md'); // it sees only the new version
    const second = await startSink(emulator, { flows });
    try {
      await second.produce('customer', [masterEvent('customer', 'ADOPT-C', 2)]);
      const [entry] = await second.waitForStates({ POSTED: 1 }, 'ADOPT-C adopted by the second sink');
      const events = (await second.service.ledger.history(entry!._id)).map((step) => step.event);
      expect(events).toContain('adopted_existing');
      expect(events).not.toContain('saved');
      expect(entry!.fid).toBe(emulator.masterData.get('merchant', 'ADOPT-C')!.id.toString());
      // Adopted as it is: the newer name did not reach YonSuite (docs/yonyou.md §6 item 10).
      expect(emulator.masterData.all('merchant').map((record) => record.name)).toEqual(['测试 ADOPT-C v1']);
    } finally {
      await second.stop();
      await emulator.close();
    }
  });

  it('a sales out-stock naming a material and a customer created through the sink posts', async () => {
    const emulator = await startEmulator({ references: { org: ORGS } });
    const sink = await startSink(emulator, {
      flows: [
        { documentType: 'material', classCode: 'WL01', assignToOrgs: ['101'] },
        { documentType: 'customer' },
        { documentType: 'sales_outstock', currencyCodes: { RMB: 'CNY' } },
      ],
    });
    try {
      await sink.produce('material', [masterEvent('material', 'NEW-SKU-1')]);
      await sink.produce('customer', [masterEvent('customer', 'NEW-SHOP-1')]);
      await sink.waitForStates({ POSTED: 2 }, 'material and customer POSTED');
      await sink.produce('sales_outstock', [
        canonical('sales_outstock', 'SO-NEW-1', { customer: 'NEW-SHOP-1', lines: [{ material: 'NEW-SKU-1' }] }),
      ]);
      await sink.waitForStates({ POSTED: 3 }, 'the sales out-stock POSTED');
      const [document] = emulator.state.documentsOf('salesout');
      expect(document!.header.cust).toBe('NEW-SHOP-1');
      expect(document!.lines.map((line) => line.product)).toEqual(['NEW-SKU-1']);
      expect(document!.status).toBe(1);
    } finally {
      await sink.stop();
      await emulator.close();
    }
  });
});
