import express from 'express';
import request from 'supertest';
import { resolveAdminTokens } from '@yecai/common';
import { Registry } from 'prom-client';
import { AvroSerde, topics } from '@yecai/kafka';
import { consumeAll, testEndpoints, testKafka, testMongo, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import { loadRules } from './rules/load-rules';
import { jstReturn, jstSalesOutStock } from './rules/test-fixtures';
import { MappingService } from './service';
import { RawPublisher } from './test-support';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
process.env.MAPPING_TEST_OPERATOR_TOKEN = 'mapping-operator-token-0001';
const operator = { Authorization: `Bearer ${process.env.MAPPING_TEST_OPERATOR_TOKEN}` };

// Mapped in the service's thread, and in a transform worker thread (own master-data cache, invalidated by the admin API).
describe.each([0, 1])('mapping service end to end (Kafka, registry, FerretDB), %i transform workers', (transformWorkers) => {
  const kafka = testKafka(`mapping-int-${transformWorkers}`);
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let service: MappingService;
  let admin: express.Express;
  let publisher: RawPublisher;
  let serde: AvroSerde;
  const metrics = new Registry();

  beforeAll(async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix(`map${transformWorkers}`);
    mongo = await testMongo(`mapping${transformWorkers}`);
    service = new MappingService({
      kafka,
      registryUrl: testEndpoints().schemaRegistryUrl,
      db: mongo.db,
      rules: loadRules(),
      metricsRegistry: metrics,
      groupId: uniqueName('mapping'),
      numPartitions: 3,
      maxStalenessMs: 300,
      reprocessIntervalMs: 300,
      transformWorkers,
      mongodbUri: testEndpoints().mongodbUri,
    });
    serde = service.serde;
    publisher = new RawPublisher(kafka, serde);
    admin = express();
    // Like the ops server: /metrics before the admin routes (whose guard answers everything it reaches).
    admin.get('/metrics', async (_req, res) => {
      res.send(await metrics.metrics());
    });
    service.mountAdmin(admin, resolveAdminTokens([{ name: 'engineer', role: 'operator', token: 'env:MAPPING_TEST_OPERATOR_TOKEN' }], 'tokens'));
    // Master data through the admin API, the way an implementation engineer loads it.
    await service.masterData.ensureIndexes();
    await request(admin).put('/master-data/shop').set(operator).send({ sourceSystem: 'jushuitan', shopCode: '10086', shopName: '天猫旗舰店', customerNumber: 'C10086', deliveryOrg: '101' }).expect(200);
    await request(admin)
      .post('/master-data/warehouse/import?format=csv').set(operator)
      .set('Content-Type', 'text/csv')
      .send('sourceSystem,sourceCode,kingdeeStockNumber,stockOrg\njushuitan,100001,CK01,100\n')
      .expect(200);
    await request(admin)
      .put('/master-data/sku').set(operator)
      .send([
        { sourceSystem: 'jushuitan', skuCode: 'A001-RED-M', materialNumber: 'M-A001-RED-M', unit: 'Pcs' },
        { sourceSystem: 'jushuitan', skuCode: 'G002-BLK', materialNumber: 'M-G002-BLK', unit: 'Pcs' },
        { sourceSystem: 'jushuitan', skuCode: 'X003', materialNumber: 'M-X003', unit: 'Box' },
      ])
      .expect(200);
    await request(admin).put('/master-data/currency').set(operator).send({ code: 'RMB', kingdeeCurrencyNumber: 'PRE001' }).expect(200);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await kafka.disconnect();
    await mongo?.close();
  });

  it('rejects bad master data with 400 naming the field, and reports bad import rows', async () => {
    const bad = await request(admin).put('/master-data/warehouse').set(operator).send({ sourceSystem: 'jushuitan', sourceCode: 'W1', stockOrg: '100' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('kingdeeStockNumber');
    const report = await request(admin)
      .post('/master-data/sku/import?format=csv').set(operator)
      .set('Content-Type', 'text/csv')
      .send('sourceSystem,skuCode,materialNumber,unit\njushuitan,S1,M1,Pcs\njushuitan,S2,,Pcs\n');
    expect(report.status).toBe(400);
    expect(report.body).toMatchObject({ written: false, errors: [{ row: 2, field: 'materialNumber' }] });
    expect(await service.masterData.get('sku', 'jushuitan/S1')).toBeNull();
  });

  it('turns the §2 JST documents into exactly the prescribed canonical events, parks what it cannot map, and re-processes after master data is added', async () => {
    const badExpression = jstSalesOutStock({ io_id: 20240004, items: [{ ioi_id: 1, sku_id: 'X003', i_id: 12345, qty: 1, sale_price: 1, sale_amount: 1, is_gift: false }] });
    const messages = await Promise.all([
      publisher.encode('sales_outstock', jstSalesOutStock()),
      publisher.encode('sales_outstock', jstSalesOutStock({ io_id: 20240002, status: 'WaitConfirm' })),
      publisher.encode('sales_outstock', jstSalesOutStock({ io_id: 20240003, wms_co_id: 'WH-09' })),
      publisher.encode('sales_outstock', badExpression),
      publisher.encode('sales_outstock', '{"io_id": 20240005, "items": [', { sourceId: '20240005' }),
      publisher.encode('sales_outstock', { io_id: 1 }, { envelopeType: 'mystery_doc' }),
      publisher.encode('aftersale_received', jstReturn()),
      publisher.encode('aftersale_received', jstReturn({ io_id: 40000002, items: [{ ioi_id: 21, sku_id: 'A001-RED-M', i_id: 'A001', qty: 0, sale_price: 59.5 }] })),
    ]);
    await publisher.publish([...messages, { topic: topics.raw('jushuitan', 'sales_outstock'), key: 'garbage', value: Buffer.from('not avro at all') }]);

    const outStocks = await consumeAll(kafka, topics.canonical('sales_outstock'), { expected: 1 });
    const returns = await consumeAll(kafka, topics.canonical('sales_return'), { expected: 1 });
    expect(outStocks).toHaveLength(1);
    expect(returns).toHaveLength(1);
    const outStock = await serde.decode<Record<string, any>>(outStocks[0]!.value!);
    expect(outStocks[0]!.key).toBe('jushuitan/main/sales_outstock/20240001');
    expect(plain({ ...outStock, source: undefined, mapping: undefined, lines: undefined })).toEqual({
      billNumber: '20240001', date: '2024-01-01', saleOrg: '100', deliveryOrg: '101', owner: '100', settleOrg: null,
      customer: 'C10086', currency: 'RMB', currencyNumber: 'PRE001', exchangeRate: null,
      logisticsNumber: 'SF1234567890', onlineOrderNumber: 'T2024010100001', remark: '聚水潭T2024010100001',
    });
    expect(outStock.source).toMatchObject({ sourceSystem: 'jushuitan', account: 'main', documentType: 'sales_outstock', sourceId: '20240001' });
    expect(outStock.lines.map((l: any) => [l.material, l.unit, l.quantity.toString(), l.taxInclusivePrice.toString(), l.batch])).toEqual([
      ['M-A001-RED-M', 'Pcs', '2', '59.5', '0'],
      ['M-G002-BLK', 'Pcs', '1', '0.1', null],
      ['M-X003', 'Box', '3', '10', null],
    ]);
    const salesReturn = await serde.decode<Record<string, any>>(returns[0]!.value!);
    expect([salesReturn.billNumber, salesReturn.customer, salesReturn.saleOrg, salesReturn.stockOrg, salesReturn.settleOrg, salesReturn.owner, salesReturn.currency]).toEqual(['40000001', 'C10086', '100', '100', '100', '100', 'RMB']);
    expect(salesReturn.lines.map((l: any) => [l.material, l.quantity.toString(), l.taxInclusivePrice.toString(), l.batch])).toEqual([
      ['M-A001-RED-M', '1', '59.5', '0'],
      ['M-X003', '1', '10', null],
    ]);

    await waitFor(async () => (await service.parking.count({ stage: 'mapping' })) >= 5, 'five parked documents');
    const parked = await service.parking.list({ stage: 'mapping' });
    const byCode = Object.fromEntries(parked.map((p) => [p.code, p]));
    expect(Object.keys(byCode).sort()).toEqual(['EXPRESSION_FAILED', 'MALFORMED_ENVELOPE', 'MALFORMED_PAYLOAD', 'MISSING_MASTER_DATA', 'UNKNOWN_DOCUMENT_TYPE']);
    expect(byCode.MISSING_MASTER_DATA).toMatchObject({
      key: 'jushuitan/main/sales_outstock/20240003', level: 1, flow: 'jushuitan/sales_outstock',
      reasonZh: '仓库 WH-09 没有金蝶仓库映射 (warehouse WH-09 has no Kingdee warehouse mapping)',
      source: { topic: topics.raw('jushuitan', 'sales_outstock') },
    });
    expect(byCode.MISSING_MASTER_DATA!.raw).toMatchObject({ sourceId: '20240003' });
    expect(byCode.EXPRESSION_FAILED).toMatchObject({ level: 1, field: 'lines[0].batch', reasonZh: expect.stringContaining('jushuitan/sales_outstock') });
    const listed = await request(admin).get('/parked?status=OPEN&code=MALFORMED_PAYLOAD').set(operator).expect(200);
    expect(listed.body.documents).toHaveLength(1);

    const exposition = (await request(admin).get('/metrics')).text;
    expect(exposition).toMatch(/yecai_mapping_filtered_total\{flow="jushuitan\/sales_return",filter="实退数量大于0"\} 1/);
    expect(exposition).toMatch(/yecai_mapping_filtered_total\{flow="jushuitan\/sales_outstock",filter="已出库"\} 1/);
    // Each filtered document is also recorded, one by one (from a transform worker too).
    const filtered = await request(admin).get('/filtered').set(operator).expect(200);
    expect(filtered.body.documents.map((d: any) => [d.flow, d.key, d.filter, d.scope]).sort()).toEqual([
      ['jushuitan/sales_outstock', 'jushuitan/main/sales_outstock/20240002', '已出库', 'document'],
      ['jushuitan/sales_return', 'jushuitan/main/aftersale_received/40000002', '实退数量大于0', 'lines'],
    ]);

    // The mapping is added: the parked document is re-pushed and mapped without anyone touching it.
    await request(admin).put('/master-data/warehouse').set(operator).send({ sourceSystem: 'jushuitan', sourceCode: 'WH-09', kingdeeStockNumber: 'CK09', stockOrg: '100' }).expect(200);
    const after = await consumeAll(kafka, topics.canonical('sales_outstock'), { expected: 2, timeoutMs: 30_000 });
    const decoded = await Promise.all(after.map((m) => serde.decode<Record<string, any>>(m.value!)));
    expect(decoded.map((d) => d.billNumber).sort()).toEqual(['20240001', '20240003']);
    expect(decoded.find((d) => d.billNumber === '20240003')!.lines[0].warehouse).toBe('CK09');
    expect((await service.parking.get(byCode.MISSING_MASTER_DATA!._id))!.status).toBe('REPUSHED');
    // An operator re-pushing it afterwards (the console's batch) is told it is already on its way; nothing is
    // published again.
    const again = await request(admin).post(`/parked/${encodeURIComponent(byCode.MISSING_MASTER_DATA!._id)}/repush`).set(operator).send({ note: '仓库已补' }).expect(200);
    expect(again.body).toEqual({ repushed: byCode.MISSING_MASTER_DATA!._id, alreadyRepushed: true });
    const canonicalAfter = await consumeAll(kafka, topics.canonical('sales_outstock'), { idleMs: 3_000, timeoutMs: 30_000 });
    expect(canonicalAfter).toHaveLength(after.length);
  });
});
