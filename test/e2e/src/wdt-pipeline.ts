import { join } from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { formatBeijingTime, getFreePort } from '@yecai/common';
import { WDT_DOCUMENT_TYPES, startWangdiantongEmulator, DEFAULT_QYB_ACCOUNT, type WdtDocumentType, type WdtEmulator } from '@yecai/emulator-wangdiantong';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { loadRules } from '@yecai/mapping';
import { SINK_DOCUMENT_TYPES } from '@yecai/sink-kingdee';
import { repoRoot } from '@yecai/stack';
import { launchServices, type PipelineOptions, type ServiceName, type ServiceProcess, type SourceFlow, WDT_FLOWS, yesterdayInBeijing } from '@yecai/demo';
import { wdtDemoWorld, type WdtDemoWorld } from './wdt-world';

export type WdtPipelineOptions = Pick<PipelineOptions, 'endpoints' | 'workDir' | 'topicPrefix' | 'mongoDb' | 'kingdeeFaults' | 'kingdeeCallsPerSecond' | 'logLevel' | 'day'> & {
  /** Emulators another pipeline shares (the two-way loop test): used as they are, seeded by their owner, not closed here. */
  shared?: SharedEmulators;
};

/** The Kingdee and WDT emulators of the WDT demo world, when two pipelines (one per direction) run on the same pair. */
export interface SharedEmulators {
  kingdee: KingdeeEmulator;
  wdt: WdtEmulator;
}

/** Canonical types the WDT rules emit that the sink posts (bills, materials, customers, warehouses). */
export const WDT_SINK_FLOWS: string[] = [
  ...new Set(loadRules().filter((compiled) => compiled.rule.source.system === 'wangdiantong').map((compiled) => compiled.rule.target.documentType)),
].filter((type) => (SINK_DOCUMENT_TYPES as readonly string[]).includes(type));

/** WDT document type (emulator) → the source's stream / raw document type. */
export const WDT_STREAM_OF: Record<WdtDocumentType, string> = {
  sales_out: 'sales_outstock',
  refund_in: 'sales_return',
  purchase_in: 'purchase_instock',
  purchase_return: 'purchase_return',
  other_in: 'other_instock',
  other_out: 'other_outstock',
  transfer: 'transfer',
  stock_pd: 'stock_count',
  assembly: 'assembly',
};

const ROOT = repoRoot(__dirname);
const SOURCE_MAIN = join(ROOT, 'services/source-wangdiantong/src/main.ts');

/**
 * 旺店通 (企业版) → Kingdee on real Kafka / registry / MongoDB: both emulators in this process, source-wangdiantong,
 * mapping and the sink as child processes — the same run as the JST pipeline with another source.
 */
export class WdtPipeline {
  private constructor(
    readonly options: WdtPipelineOptions,
    readonly world: WdtDemoWorld,
    readonly wdt: WdtEmulator,
    readonly kingdee: KingdeeEmulator,
    readonly services: Record<ServiceName, ServiceProcess>,
    readonly mongo: MongoClient,
    readonly db: Db,
    readonly day: { fromMs: number; toMs: number },
  ) {}

  /** Flows of the summary: canonicals the sink does not post are left out (their events stay on the topic). */
  readonly flows: SourceFlow[] = WDT_FLOWS.map((flow) => ({ ...flow, canonicals: flow.canonicals.filter((type) => WDT_SINK_FLOWS.includes(type)) }));

  static async start(options: WdtPipelineOptions): Promise<WdtPipeline> {
    const day = options.day ?? yesterdayInBeijing();
    const world = wdtDemoWorld(day);
    const { kingdee, wdt } = options.shared ?? {
      kingdee: await startKingdeeEmulator({ seed: world.kingdeeFixture, ...(options.kingdeeFaults ? { faults: options.kingdeeFaults } : {}) }),
      wdt: await startWangdiantongEmulator({ world: world.wdtWorld, rateLimits: { perMinute: 6000, concurrent: 10 } }),
    };
    for (const [type, documents] of Object.entries(world.documents(day)) as [WdtDocumentType, Parameters<typeof wdt.store.addDocument>[1][]][]) {
      for (const document of documents) wdt.store.addDocument(type, document);
    }
    const sourceConfig = {
      service: 'source_wangdiantong',
      opsPort: await getFreePort(),
      pollIntervalSeconds: 2,
      windowMinutes: 720,
      accounts: [
        {
          // Transactional ids are <service>.<account>.<stream>: a run-unique account keeps parallel runs from fencing each other.
          name: `demo${options.topicPrefix ? `-${options.topicPrefix.toLowerCase().replace(/[^a-z0-9_-]/g, '')}` : ''}`,
          edition: 'qyb',
          sid: DEFAULT_QYB_ACCOUNT.sid,
          baseUrl: `${wdt.url}/openapi2`,
          appKey: DEFAULT_QYB_ACCOUNT.appkey,
          appSecret: 'env:YECAI_DEMO_WDT_APP_SECRET',
          startAt: formatBeijingTime(day.fromMs),
          masterDataStartAt: formatBeijingTime(day.fromMs),
          rateLimits: { perSecond: 20, perMinute: 1200 },
        },
      ],
    };
    const { services, mongo, db } = await launchServices(options, kingdee, world.kingdeeFixture, world.masterData, {
      name: 'source-wangdiantong',
      main: SOURCE_MAIN,
      config: sourceConfig,
      env: { YECAI_DEMO_WDT_APP_SECRET: DEFAULT_QYB_ACCOUNT.appsecret },
      sinkFlows: WDT_SINK_FLOWS,
    });
    return new WdtPipeline(options, world, wdt, kingdee, services, mongo, db, day);
  }

  /** Records the WDT emulator holds per stream (documents, goods, shops, warehouses) from the day's start on. */
  available(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(WDT_DOCUMENT_TYPES.map((type) => [WDT_STREAM_OF[type], this.wdt.store.count(type)]));
    // Goods edited before the day are not read again (the master-data streams start at the day).
    counts.material = this.wdt.store.listGoods().filter((goods) => goods.modifiedMs >= this.day.fromMs).length;
    counts.customer = this.wdt.store.listShops().length;
    counts.warehouse = this.wdt.store.listWarehouses().length;
    return counts;
  }

  async stop(): Promise<void> {
    for (const name of ['source', 'mapping', 'sink'] as const) await this.services[name].dispose();
    if (!this.options.shared) await Promise.allSettled([this.wdt.close(), this.kingdee.close()]);
    await this.mongo.close();
  }
}
