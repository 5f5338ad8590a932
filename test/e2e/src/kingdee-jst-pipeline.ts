/**
 * The Kingdee → 聚水潭 goods pipeline for tests (issue #20, F1 reverse, the Jushuitan project): the Kingdee emulator
 * over the demo world and a JST emulator, source-kingdee (materials) → mapping (kingdee/material) → sink-jushuitan as
 * child processes (so they can be SIGKILLed) on the harness's real broker, registry and MongoDB-wire server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPipelineServices, yesterdayInBeijing, type PipelineEndpoints, type ServiceName, type ServiceProcess } from '@yecai/demo';
import { DEFAULT_ACCOUNT, startJushuitanEmulator, type JstEmulator } from '@yecai/emulator-jushuitan';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import type { KingdeeClient } from '@yecai/kingdee';
import { repoRoot } from '@yecai/stack';
import type { Db, MongoClient } from 'mongodb';
import { kingdeeSourceLaunch, OMS_SINK_TEST_SETTINGS, omsSinkGroup, saveMaterial, type TestMaterial } from './kingdee-source-launch';
import { wdtDemoWorld } from './wdt-world';

const ROOT = repoRoot(__dirname);
/** The sink's JST account name: its ledger ids are `<account>|itemsku|<sku_id>`. */
export const JST_ACCOUNT = 'main';

export interface KingdeeJstPipelineOptions {
  endpoints: PipelineEndpoints;
  topicPrefix: string;
  mongoDb: string;
  workDir?: string;
  logLevel?: string;
}

export class KingdeeJstPipeline {
  private constructor(
    readonly kingdee: KingdeeEmulator,
    readonly jst: JstEmulator,
    readonly client: KingdeeClient,
    readonly services: Record<ServiceName, ServiceProcess>,
    private readonly mongo: MongoClient,
    readonly db: Db,
  ) {}

  static async start(options: KingdeeJstPipelineOptions): Promise<KingdeeJstPipeline> {
    const world = wdtDemoWorld(yesterdayInBeijing());
    const kingdee = await startKingdeeEmulator({ seed: world.kingdeeFixture });
    const jst = await startJushuitanEmulator({ rateLimits: { perSecond: 1000, perMinute: 60_000 } });
    const { launch, client } = await kingdeeSourceLaunch({ topicPrefix: options.topicPrefix, kingdee, kingdeeFixture: world.kingdeeFixture, streams: ['material'], sinkFlows: ['oms_goods'] });
    const { services, mongo, db } = await launchPipelineServices(
      {
        endpoints: options.endpoints,
        workDir: options.workDir ?? mkdtempSync(join(tmpdir(), 'yecai-kd-jst-')),
        topicPrefix: options.topicPrefix,
        mongoDb: options.mongoDb,
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
      },
      world.masterData,
      launch,
      {
        name: 'sink-jushuitan',
        main: join(ROOT, 'services/sink-jushuitan/src/main.ts'),
        config: {
          groupId: omsSinkGroup('jst', options.topicPrefix),
          jushuitan: { name: JST_ACCOUNT, baseUrl: jst.url, appKey: DEFAULT_ACCOUNT.appKey, appSecret: 'env:E2E_JST_APP_SECRET', accessToken: 'env:E2E_JST_ACCESS_TOKEN', requestTimeoutMs: 2_000 },
          flows: [{ documentType: 'oms_goods' }],
          ...OMS_SINK_TEST_SETTINGS,
        },
        env: { E2E_JST_APP_SECRET: DEFAULT_ACCOUNT.appSecret, E2E_JST_ACCESS_TOKEN: DEFAULT_ACCOUNT.accessToken },
      },
    );
    return new KingdeeJstPipeline(kingdee, jst, client, services, mongo, db);
  }

  /** A material saved in Kingdee, submitted and audited unless told otherwise: its number (the JST sku_id). */
  material(number: string, options: TestMaterial = {}): Promise<string> {
    return saveMaterial(this.client, number, options);
  }

  /** Applied JST goods writes (created / updated) of one sku. */
  writesOf(sku: string): string[] {
    return this.jst.goods.writes.filter((write) => write.sku_id === sku).map((write) => write.kind);
  }

  /** The sink's ledger entry (latest revision) of one sku. */
  async ledgerOf(sku: string): Promise<Record<string, unknown> | undefined> {
    return (await this.db.collection('sink_jushuitan_ledger').find({ ledgerId: `${JST_ACCOUNT}|itemsku|${sku}` }).sort({ revision: -1 }).limit(1).toArray())[0];
  }

  async posted(sku: string): Promise<boolean> {
    return (await this.ledgerOf(sku))?.state === 'POSTED';
  }

  async stop(): Promise<void> {
    for (const name of ['source', 'mapping', 'sink'] as const) await this.services[name].dispose();
    await Promise.allSettled([this.jst.close(), this.kingdee.close()]);
    await this.mongo.close();
  }
}
