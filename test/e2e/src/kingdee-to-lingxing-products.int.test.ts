/**
 * Kingdee → 领星 products end to end (issue #20, F1 reverse, the 领星 project): a material saved, submitted and audited
 * in the Kingdee emulator with 是否网销 ticked → source-kingdee → mapping (kingdee/material) → sink-lingxing → the 领星
 * emulator's product/set. Real broker, registry and MongoDB-wire server; the services are child processes, so the
 * writer can be SIGKILLed between its write and its ledger record. Each such material must end as one 领星 product
 * (sku = the material number, written once) — plainly, after a lost answer and after the kill; an unaudited material
 * never reaches 领星.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPipelineServices, yesterdayInBeijing, type ServiceName, type ServiceProcess } from '@yecai/demo';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingEmulator } from '@yecai/emulator-lingxing';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import type { KingdeeClient } from '@yecai/kingdee';
import { repoRoot } from '@yecai/stack';
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { Db, MongoClient } from 'mongodb';
import { kingdeeSourceLaunch, OMS_SINK_TEST_SETTINGS, omsSinkGroup, saveMaterial } from './kingdee-source-launch';
import { wdtDemoWorld } from './wdt-world';

const run = Date.now().toString(36).toUpperCase();
let kingdee: KingdeeEmulator;
let lingxing: LingxingEmulator;
let client: KingdeeClient;
let services: Record<ServiceName, ServiceProcess>;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  const topicPrefix = uniqueTopicPrefix('e2e-kd-lx');
  const world = wdtDemoWorld(yesterdayInBeijing());
  kingdee = await startKingdeeEmulator({ seed: world.kingdeeFixture });
  lingxing = await startLingxingEmulator({ port: 0 });
  const source = await kingdeeSourceLaunch({ topicPrefix, kingdee, kingdeeFixture: world.kingdeeFixture, streams: ['material'], sinkFlows: ['oms_goods'] });
  client = source.client;
  ({ services, mongo, db } = await launchPipelineServices(
    { endpoints: testEndpoints(), workDir: mkdtempSync(join(tmpdir(), 'yecai-kd-lx-')), topicPrefix, mongoDb: uniqueName('e2e_kd_lx').replace(/-/g, '_') },
    world.masterData,
    source.launch,
    {
      name: 'sink-lingxing',
      main: join(repoRoot(__dirname), 'services/sink-lingxing/src/main.ts'),
      config: {
        groupId: omsSinkGroup('lingxing', topicPrefix),
        lingxing: { name: 'main', baseUrl: lingxing.url, appId: LINGXING_TEST_ACCOUNT.appId, appSecret: 'env:E2E_LINGXING_APP_SECRET', requestTimeoutMs: 2_000, throttleBackoffMs: 200 },
        flows: [{ documentType: 'oms_goods' }],
        ...OMS_SINK_TEST_SETTINGS,
      },
      env: { E2E_LINGXING_APP_SECRET: LINGXING_TEST_ACCOUNT.appSecret },
    },
  ));
}, 300_000);

afterAll(async () => {
  for (const name of ['source', 'mapping', 'sink'] as const) await services?.[name].dispose();
  await Promise.allSettled([lingxing?.close(), kingdee?.close()]);
  await mongo?.close();
});

const material = (suffix: string, options: { audit?: boolean } = {}) => saveMaterial(client, `E2E-${run}-${suffix}`, { ...options, name: `测试商品 ${suffix}` });
const writesOf = (sku: string) => lingxing.products.writes.filter((write) => write.sku === sku).map((write) => write.kind);
const posted = async (sku: string) =>
  (await db.collection('sink_lingxing_ledger').find({ ledgerId: `main|product|${sku}` }).sort({ revision: -1 }).limit(1).toArray())[0]?.state === 'POSTED';

describe('Kingdee materials → 领星 products, exactly once (real Kafka + registry + MongoDB-wire; services as processes)', () => {
  it('an audited online material is one 领星 product with the base unit — plainly, after a lost answer, after a SIGKILL of the writer; an unaudited one never', async () => {
    const draft = await material('DRAFT', { audit: false });

    const plain = await material('PLAIN');
    await waitFor(() => posted(plain), `${plain} POSTED by sink-lingxing`, 120_000);
    expect(lingxing.products.get(plain)).toMatchObject({ sku: plain, product_name: '测试商品 PLAIN', model: '红色;M', unit: 'Pcs', status: 1 });

    // The 领星 answer is lost after the write landed: the sink reads the sku back (productList sku_list).
    lingxing.setFaults({ lostAnswerNext: 1 });
    const lost = await material('LOST');
    await waitFor(() => posted(lost), `${lost} POSTED after its answer was lost`, 120_000);

    // Killed after 领星 applied the write and before the answer: the restarted sink finds the product by sku.
    lingxing.setFaults({ holdAnswerMs: 5_000 });
    const killed = await material('KILLED');
    await waitFor(() => lingxing.products.get(killed) !== undefined, `${killed} written to 领星`, 120_000);
    expect(await posted(killed)).toBe(false);
    await services.sink.kill();
    lingxing.setFaults({ holdAnswerMs: 0 });
    await waitFor(() => posted(killed), `${killed} POSTED after the writer was killed mid-write`, 120_000);

    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect([plain, lost, killed].map((sku) => [sku, writesOf(sku)])).toEqual([
      [plain, ['created']],
      [lost, ['created']],
      [killed, ['created']],
    ]);
    expect([draft, lingxing.products.get(draft), writesOf(draft)]).toEqual([draft, undefined, []]);
  }, 600_000);
});
