import express from 'express';
import request from 'supertest';
import { Registry } from 'prom-client';
import { resolveAdminTokens } from '@yecai/common';
import { topics } from '@yecai/kafka';
import { MappingService, loadRules } from '@yecai/mapping';
import { jstReturn, jstSalesOutStock } from '@yecai/mapping/src/rules/test-fixtures';
import { RawPublisher } from '@yecai/mapping/src/test-support';
import { consumeAll, testEndpoints, testKafka, testMongo, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import { parkedCommand } from './exceptions';

process.env.FILTERED_TEST_VIEWER_TOKEN = 'filtered-viewer-token-0001';

/** A return whose every line has 实退数量 0, and a sales out-stock not shipped yet: filtered, not synced, not parked. */
describe('filtered documents: recorded by the real mapping service, listed by `yecai parked --filtered` and GET /filtered', () => {
  const kafka = testKafka('filtered-int');
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let service: MappingService;
  let publisher: RawPublisher;
  const admin = express();

  const cli = async (flags: Record<string, string | boolean>) => {
    const lines: string[] = [];
    await parkedCommand([], { filtered: true, 'mongodb-uri': testEndpoints().mongodbUri, db: mongo.db.databaseName, ...flags }, (line) => lines.push(line));
    return lines.join('\n');
  };

  beforeAll(async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('filtered');
    mongo = await testMongo('filtered');
    service = new MappingService({
      kafka,
      registryUrl: testEndpoints().schemaRegistryUrl,
      db: mongo.db,
      rules: loadRules(),
      metricsRegistry: new Registry(),
      groupId: uniqueName('mapping'),
      numPartitions: 1,
      reprocessIntervalMs: 0,
    });
    publisher = new RawPublisher(kafka, service.serde);
    service.mountAdmin(admin, resolveAdminTokens([{ name: 'finance', role: 'viewer', token: 'env:FILTERED_TEST_VIEWER_TOKEN' }], 'tokens'));
    await service.masterData.upsert('shop', [{ sourceSystem: 'jushuitan', shopCode: '10086', customerNumber: 'C10086', deliveryOrg: '101' }]);
    await service.masterData.upsert('warehouse', [{ sourceSystem: 'jushuitan', sourceCode: '100001', kingdeeStockNumber: 'CK01', stockOrg: '100' }]);
    await service.masterData.upsert('sku', [{ sourceSystem: 'jushuitan', skuCode: 'A001-RED-M', materialNumber: 'M-A001-RED-M', unit: 'Pcs' }]);
    await service.masterData.upsert('currency', [{ code: 'RMB', kingdeeCurrencyNumber: 'PRE001' }]);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await kafka.disconnect();
    await mongo?.close();
  });

  it('records each filtered version once, with filter, description, rule version and document version; a later version that maps leaves it as that version', async () => {
    expect(await cli({})).toContain('没有被过滤的单据记录 no filtered documents recorded');
    const zeroReturn = jstReturn({ io_id: 40000009, items: [{ ioi_id: 91, sku_id: 'A001-RED-M', i_id: 'A001', qty: 0, sale_price: 59.5 }] });
    const filteredReturn = await publisher.encode('aftersale_received', zeroReturn, { modifiedAt: Date.parse('2024-01-05T01:30:00Z') });
    const unshipped = await publisher.encode('sales_outstock', jstSalesOutStock({ io_id: 20240077, status: 'WaitConfirm' }));
    // The same return version delivered twice (a source re-read or a replay) and the out-stock once.
    await publisher.publish([filteredReturn, unshipped, filteredReturn]);
    await waitFor(async () => (await service.filtered.count()) >= 2, 'two filtered documents recorded');
    // Then a newer version of the return with 实退数量 1: it maps.
    const newer = jstReturn({ io_id: 40000009, items: [{ ioi_id: 91, sku_id: 'A001-RED-M', i_id: 'A001', qty: 1, sale_price: 59.5 }] });
    await publisher.publish([await publisher.encode('aftersale_received', newer, { modifiedAt: Date.parse('2024-01-06T01:30:00Z') })]);
    expect(await consumeAll(kafka, topics.canonical('sales_return'), { expected: 1 })).toHaveLength(1);

    const records = await service.filtered.list();
    expect(records).toHaveLength(2);
    const byFlow = Object.fromEntries(records.map((record) => [record.flow, record]));
    expect(byFlow['jushuitan/sales_return']).toMatchObject({
      key: 'jushuitan/main/aftersale_received/40000009',
      filter: '实退数量大于0',
      scope: 'lines',
      description: expect.stringContaining('实退数量大于0'),
      ruleVersion: expect.stringMatching(/^\d+\+[0-9a-f]{8}$/),
      sourceModifiedAt: Date.parse('2024-01-05T01:30:00Z'),
      source: { topic: topics.raw('jushuitan', 'aftersale_received') },
    });
    expect(byFlow['jushuitan/sales_outstock']).toMatchObject({ key: 'jushuitan/main/sales_outstock/20240077', filter: '已出库', scope: 'document', description: '只同步已出库的单据（status = Confirmed）' });

    const listed = await cli({ flow: 'jushuitan/sales_return' });
    expect(listed).toContain('jushuitan/main/aftersale_received/40000009');
    expect(listed).toContain('实退数量大于0');
    expect(listed).toContain('2024-01-05 09:30:00'); // the filtered version, Beijing time
    expect(listed).toContain('共 1 条 total 1');
    expect(await cli({})).toContain('共 2 条 total 2');
    await expect(cli({ stage: 'mapping' })).rejects.toThrow('--stage');

    await request(admin).get('/filtered').expect(401);
    const api = await request(admin)
      .get('/filtered?key=jushuitan/main/sales_outstock/20240077')
      .set('Authorization', `Bearer ${process.env.FILTERED_TEST_VIEWER_TOKEN}`)
      .expect(200);
    expect(api.body).toMatchObject({ total: 1, documents: [{ flow: 'jushuitan/sales_outstock', filter: '已出库', sourceId: '20240077' }] });
  });
});
