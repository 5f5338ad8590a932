/**
 * Kingdee → 聚水潭 goods end to end (issue #20, F1 reverse, the Jushuitan project): a material saved, submitted and
 * audited in the Kingdee emulator with 是否网销 ticked → source-kingdee → Kafka → mapping (kingdee/material) → Kafka →
 * sink-jushuitan → the JST emulator's itemsku/upload. Real broker, registry and MongoDB-wire server; the three services
 * are child processes, so the writer can be SIGKILLed between its upload and its ledger record. Each such material
 * must end as exactly one JST goods row (sku_id = the material number, unit = the base unit, written once) — also after
 * a lost answer and after the kill; an unaudited material and one not sold online never reach JST.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBeijingTime, getFreePort } from '@yecai/common';
import { DEMO_KINGDEE_SECRET_ENV, demoKingdeeConnection, launchPipelineServices, yesterdayInBeijing, type ServiceName, type ServiceProcess } from '@yecai/demo';
import { DEFAULT_ACCOUNT, startJushuitanEmulator, type JstEmulator } from '@yecai/emulator-jushuitan';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient } from '@yecai/kingdee';
import { repoRoot } from '@yecai/stack';
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { Db, MongoClient } from 'mongodb';
import { wdtDemoWorld } from './wdt-world';

const ROOT = repoRoot(__dirname);
const JST_ACCOUNT = 'main';

let kingdee: KingdeeEmulator;
let jst: JstEmulator;
let client: KingdeeClient;
let services: Record<ServiceName, ServiceProcess>;
let mongo: MongoClient;
let db: Db;
const run = Date.now().toString(36).toUpperCase();

beforeAll(async () => {
  const topicPrefix = uniqueTopicPrefix('e2e-kd-jst');
  const world = wdtDemoWorld(yesterdayInBeijing());
  kingdee = await startKingdeeEmulator({ seed: world.kingdeeFixture });
  jst = await startJushuitanEmulator({ rateLimits: { perSecond: 1000, perMinute: 60_000 } });
  const connection = demoKingdeeConnection(kingdee.url, world.kingdeeFixture);
  process.env[DEMO_KINGDEE_SECRET_ENV] = world.kingdeeFixture.apps[0]!.appSecret;
  client = KingdeeClient.fromConfig(connection);
  const account = `kd${topicPrefix.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
  const startAt = formatBeijingTime(Date.now() - 3_600_000);
  ({ services, mongo, db } = await launchPipelineServices(
    {
      endpoints: testEndpoints(),
      workDir: mkdtempSync(join(tmpdir(), 'yecai-e2e-kd-jst-')),
      topicPrefix,
      mongoDb: uniqueName('e2e_kd_jst').replace(/-/g, '_'),
    },
    world.masterData,
    {
      name: 'source-kingdee',
      main: join(ROOT, 'services/source-kingdee/src/main.ts'),
      config: {
        service: 'source_kingdee',
        opsPort: await getFreePort(),
        pollIntervalSeconds: 2,
        accounts: [{ name: account, startAt, masterDataStartAt: startAt, streams: ['material'], connection }],
      },
      env: { [DEMO_KINGDEE_SECRET_ENV]: world.kingdeeFixture.apps[0]!.appSecret },
      sinkFlows: ['oms_goods'],
    },
    {
      name: 'sink-jushuitan',
      main: join(ROOT, 'services/sink-jushuitan/src/main.ts'),
      config: {
        groupId: `yecai-sink-jst-${topicPrefix.replace(/[^A-Za-z0-9_-]/g, '')}`,
        jushuitan: { name: JST_ACCOUNT, baseUrl: jst.url, appKey: DEFAULT_ACCOUNT.appKey, appSecret: 'env:E2E_JST_APP_SECRET', accessToken: 'env:E2E_JST_ACCESS_TOKEN', requestTimeoutMs: 2_000 },
        flows: [{ documentType: 'oms_goods' }],
        batchSize: 10,
        probeIntervalMs: 1_000,
        schedulerIntervalMs: 1_000,
        level2RetryDelaysMs: [2_000, 5_000],
        staleInFlightMs: 5_000,
        admin: { tokens: [{ name: 'demo-operator', role: 'operator', token: 'env:YECAI_DEMO_ADMIN_TOKEN' }] },
      },
      env: { E2E_JST_APP_SECRET: DEFAULT_ACCOUNT.appSecret, E2E_JST_ACCESS_TOKEN: DEFAULT_ACCOUNT.accessToken },
    },
  ));
}, 300_000);

afterAll(async () => {
  for (const name of ['source', 'mapping', 'sink'] as const) await services?.[name]?.dispose();
  await Promise.allSettled([jst?.close(), kingdee?.close()]);
  await mongo?.close();
});

/** Saves a material in Kingdee (base unit Pcs, stock unit Box), then submits and audits it unless told otherwise. */
async function material(suffix: string, options: { online?: boolean; audit?: boolean } = {}): Promise<string> {
  const number = `E2E-${run}-${suffix}`;
  const saved = await client.save('BD_MATERIAL', {
    FCreateOrgId: { FNumber: '100' },
    FUseOrgId: { FNumber: '100' },
    FNumber: number,
    FName: `测试商品 ${suffix}`,
    FSpecification: '红色;M',
    FBarCode: `69${suffix.charCodeAt(0)}0001`,
    F_YC_IsOnline: options.online ?? true,
    SubHeadEntity: { FErpClsID: '1', FBaseUnitId: { FNumber: 'Pcs' } },
    SubHeadEntity1: { FStoreUnitID: { FNumber: 'Box' }, FIsBatchManage: false },
  } as never);
  const ops = options.audit === false ? (['Submit'] as const) : (['Submit', 'Audit'] as const);
  for (const op of ops) {
    const [outcome] = await client.operateEach(op, 'BD_MATERIAL', { numbers: [saved.number] });
    expect({ op, status: outcome?.status }).toEqual({ op, status: 'done' });
  }
  return number;
}

/** Applied JST writes (created / updated) per sku. */
const writesOf = (sku: string) => jst.goods.writes.filter((write) => write.sku_id === sku).map((write) => write.kind);
const ledgerEntry = async (sku: string) =>
  (await db.collection('sink_jushuitan_ledger').find({ ledgerId: `${JST_ACCOUNT}|itemsku|${sku}` }).sort({ revision: -1 }).limit(1).toArray())[0];
const posted = async (sku: string) => (await ledgerEntry(sku))?.state === 'POSTED';

describe('Kingdee materials → 聚水潭 goods, exactly once (real Kafka + registry + MongoDB-wire; services as processes)', () => {
  it('an audited online material appears once in JST with the smallest unit — plainly, after a lost answer, after a SIGKILL of the writer; unaudited or not-online ones never', async () => {
    const draft = await material('DRAFT', { audit: false });
    const offline = await material('OFFLINE', { online: false });

    // 1. Plain.
    const plain = await material('PLAIN');
    await waitFor(() => posted(plain), `${plain} POSTED by sink-jushuitan`, 120_000);
    expect(jst.goods.get(plain)).toMatchObject({ sku_id: plain, i_id: plain, name: '测试商品 PLAIN', properties_value: '红色;M', unit: 'Pcs', enabled: 1 });

    // 2. The JST answer is lost after the upload landed: the sink resolves it by querying the sku_id.
    jst.setFaults({ lostAnswerNext: 1 });
    const lost = await material('LOST');
    await waitFor(() => posted(lost), `${lost} POSTED after its answer was lost`, 120_000);
    expect(jst.stats.lost_answer).toBe(1);

    // 3. The writer is SIGKILLed after JST applied the upload and before the answer (and the ledger record): the
    // supervised sink restarts and finds the goods by sku_id instead of uploading again.
    jst.setFaults({ holdAnswerMs: 5_000 });
    const killed = await material('KILLED');
    await waitFor(() => jst.goods.get(killed) !== undefined, `${killed} uploaded to JST`, 120_000);
    expect(await posted(killed)).toBe(false);
    await services.sink.kill();
    jst.setFaults({ holdAnswerMs: 0 });
    await waitFor(() => posted(killed), `${killed} POSTED after the writer was killed mid-write`, 120_000);

    // Let any straggling redelivery or retry run, then count.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect([plain, lost, killed].map((sku) => [sku, writesOf(sku)])).toEqual([
      [plain, ['created']],
      [lost, ['created']],
      [killed, ['created']],
    ]);
    expect([draft, offline].map((sku) => [sku, jst.goods.get(sku), writesOf(sku)])).toEqual([
      [draft, undefined, []],
      [offline, undefined, []],
    ]);
  }, 600_000);
});
