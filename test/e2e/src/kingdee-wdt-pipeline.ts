/**
 * The Kingdee → 旺店通 pipeline for tests (issue #20): the Kingdee and WDT emulators over the WDT demo world,
 * source-kingdee → mapping → sink-wangdiantong as child processes (so they can be SIGKILLed) on the harness's real
 * broker, registry and MongoDB-wire server, and the Kingdee bills a test makes (saved, submitted, audited).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, formatBeijingTime } from '@yecai/common';
import { launchPipelineServices, yesterdayInBeijing, type PipelineEndpoints, type ServiceName, type ServiceProcess } from '@yecai/demo';
import { DEFAULT_QYB_ACCOUNT, startWangdiantongEmulator, type WdtEmulator } from '@yecai/emulator-wangdiantong';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import type { BillOperation, KingdeeClient } from '@yecai/kingdee';
import { repoRoot } from '@yecai/stack';
import type { Db, MongoClient } from 'mongodb';
import { kingdeeSourceLaunch, OMS_SINK_TEST_SETTINGS, omsSinkGroup, operateBill, saveMaterial, type TestMaterial } from './kingdee-source-launch';
import type { SharedEmulators } from './wdt-pipeline';
import { wdtDemoWorld } from './wdt-world';

const ROOT = repoRoot(__dirname);
export const KD_WDT_WAREHOUSE = 'HZ01';
/** Not batch-managed; Kingdee material number = WDT spec number in the demo world. */
export const KD_WDT_SPEC = 'G100201S';

/** The reverse flows: Kingdee source stream → the canonical type(s) sink-wangdiantong posts. */
export const KD_WDT_FLOWS = {
  // A 组装拆卸单 is carried as one 其他出库 and one 其他入库 (rules kingdee/assembly_out, assembly_in).
  assembly: ['oms_other_outstock', 'oms_other_instock'],
  purchase_instock: 'oms_purchase_instock',
  purchase_return: 'oms_purchase_return',
  other_instock: 'oms_other_instock',
  other_outstock: 'oms_other_outstock',
  transfer: 'oms_transfer',
  stock_count_gain: 'oms_stock_count',
  stock_count_loss: 'oms_stock_count',
  material: 'oms_goods',
} as const;
export type KdWdtStream = keyof typeof KD_WDT_FLOWS;

export interface KingdeeWdtPipelineOptions {
  endpoints: PipelineEndpoints;
  topicPrefix: string;
  mongoDb: string;
  workDir?: string;
  streams?: KdWdtStream[];
  logLevel?: string;
  /** Emulators another pipeline shares (the two-way loop test): used as they are, not closed here. */
  shared?: SharedEmulators;
}

export class KingdeeWdtPipeline {
  private constructor(
    readonly kingdee: KingdeeEmulator,
    readonly wdt: WdtEmulator,
    readonly client: KingdeeClient,
    readonly services: Record<ServiceName, ServiceProcess>,
    private readonly mongo: MongoClient,
    readonly db: Db,
    private readonly sharedEmulators: boolean,
  ) {}

  static async start(options: KingdeeWdtPipelineOptions): Promise<KingdeeWdtPipeline> {
    const streams = options.streams ?? (Object.keys(KD_WDT_FLOWS) as KdWdtStream[]);
    const world = wdtDemoWorld(yesterdayInBeijing());
    const { kingdee, wdt } = options.shared ?? {
      kingdee: await startKingdeeEmulator({ seed: world.kingdeeFixture }),
      wdt: await startWangdiantongEmulator({ world: world.wdtWorld, rateLimits: { perMinute: 6000, concurrent: 10 } }),
    };
    // 盘盈单 and 盘亏单 feed one canonical type, a 组装拆卸单 two that other streams feed too: each sink flow once.
    const flows = [...new Set(streams.flatMap((stream): string | readonly string[] => KD_WDT_FLOWS[stream]))];
    const { launch, client } = await kingdeeSourceLaunch({ topicPrefix: options.topicPrefix, kingdee, kingdeeFixture: world.kingdeeFixture, streams, sinkFlows: flows });
    const { services, mongo, db } = await launchPipelineServices(
      {
        endpoints: options.endpoints,
        workDir: options.workDir ?? mkdtempSync(join(tmpdir(), 'yecai-kd-wdt-')),
        topicPrefix: options.topicPrefix,
        mongoDb: options.mongoDb,
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
      },
      world.masterData,
      launch,
      {
        name: 'sink-wangdiantong',
        main: join(ROOT, 'services/sink-wangdiantong/src/main.ts'),
        config: {
          groupId: omsSinkGroup('wdt', options.topicPrefix),
          wangdiantong: { sid: DEFAULT_QYB_ACCOUNT.sid, appKey: DEFAULT_QYB_ACCOUNT.appkey, appSecret: 'env:E2E_WDT_APP_SECRET', baseUrl: `${wdt.url}/openapi2`, requestTimeoutMs: 2_000 },
          flows: flows.map((documentType) => ({ documentType })),
          ...OMS_SINK_TEST_SETTINGS,
        },
        env: { E2E_WDT_APP_SECRET: DEFAULT_QYB_ACCOUNT.appsecret },
      },
    );
    return new KingdeeWdtPipeline(kingdee, wdt, client, services, mongo, db, options.shared !== undefined);
  }

  /** Runs the operations on a saved bill; throws naming the bill when one is not done. */
  private async operate(formId: string, number: string, ops: BillOperation[]): Promise<void> {
    await operateBill(this.client, formId, number, ops);
  }

  /** A 采购入库单, submitted and audited: its number (the WDT outer number). */
  async auditedInStock(quantity: string): Promise<string> {
    const saved = await this.client.save('STK_InStock', {
      FBillTypeID: { FNUMBER: 'RKD01_SYS' },
      FDate: today(),
      FStockOrgId: { FNumber: '100' },
      FPurchaseOrgId: { FNumber: '100' },
      FSupplierId: { FNumber: 'GYS001' },
      FOwnerTypeIdHead: 'BD_OwnerOrg',
      FOwnerIdHead: { FNumber: '100' },
      FInStockFin: { FSettleCurrId: { FNumber: 'PRE001' } },
      FInStockEntry: [{ FMaterialId: { FNumber: KD_WDT_SPEC }, FUnitID: { FNumber: 'Pcs' }, FRealQty: quantity, FPrice: '20', FStockId: { FNumber: KD_WDT_WAREHOUSE } }],
    } as never);
    await this.operate('STK_InStock', saved.number, ['Submit', 'Audit']);
    return saved.number;
  }

  /** A 采购退料单 with the given operations (Submit, Audit): its number. */
  async purchaseReturn(quantity: string, ops: BillOperation[] = ['Submit', 'Audit']): Promise<string> {
    const saved = await this.client.save('PUR_MRB', {
      FBillTypeID: { FNumber: 'TLD01_SYS' },
      FDate: today(),
      FStockOrgId: { FNumber: '100' },
      FPurchaseOrgId: { FNumber: '100' },
      FSupplierID: { FNumber: 'GYS001' },
      FOwnerTypeIdHead: 'BD_OwnerOrg',
      FOwnerIdHead: { FNumber: '100' },
      FPURMRBFIN: { FSettleCurrId: { FNumber: 'PRE001' } },
      FPURMRBENTRY: [{ FMATERIALID: { FNumber: KD_WDT_SPEC }, FUnitID: { FNumber: 'Pcs' }, FRMREALQTY: quantity, FPrice: '20', FStockId: { FNumber: KD_WDT_WAREHOUSE } }],
    } as never);
    await this.operate('PUR_MRB', saved.number, ops);
    return saved.number;
  }

  /**
   * A 其他入库单 (STK_MISCELLANEOUS) or 其他出库单 (STK_MisDelivery), submitted and audited: its number and FID. `note` is
   * the header 备注 — what sink-kingdee writes there from an OMS document carries the OMS rule's marker.
   */
  async otherBill(formId: 'STK_MISCELLANEOUS' | 'STK_MisDelivery', quantity: string, note = '样品'): Promise<{ number: string; id: string }> {
    const isIn = formId === 'STK_MISCELLANEOUS';
    const header = { FDate: today(), FStockOrgId: { FNumber: '100' }, FStockDirect: 'GENERAL', FOwnerTypeIdHead: 'BD_OwnerOrg', FOwnerIdHead: { FNumber: '100' }, FNOTE: note };
    const line = { FUnitID: { FNumber: 'Pcs' }, FQty: quantity };
    const saved = await this.client.save(
      formId,
      (isIn
        ? { ...header, FBillTypeID: { FNumber: 'QTRKD01_SYS' }, FEntity: [{ ...line, FMATERIALID: { FNumber: KD_WDT_SPEC }, FSTOCKID: { FNumber: KD_WDT_WAREHOUSE } }] }
        : { ...header, FBillTypeID: { FNumber: 'QTCKD01_SYS' }, FPickOrgId: { FNumber: '100' }, FDeptId: { FNumber: 'BM000001' }, FEntity: [{ ...line, FMaterialId: { FNumber: KD_WDT_SPEC }, FStockId: { FNumber: KD_WDT_WAREHOUSE } }] }) as never,
    );
    await this.operate(formId, saved.number, ['Submit', 'Audit']);
    return { number: saved.number, id: String(saved.id) };
  }

  /** A 直接调拨单 (STK_TransferDirect) in org 100 from KD_WDT_WAREHOUSE to `to`, submitted and audited: its number. */
  async auditedTransfer(quantity: string, to: string): Promise<string> {
    const org = { FNumber: '100' };
    const saved = await this.client.save('STK_TransferDirect', {
      FBillTypeID: { FNumber: 'ZJDB01_SYS' },
      FDate: today(),
      FBizType: 'NORMAL',
      FTransferDirect: 'GENERAL',
      FTransferBizType: 'InnerOrgTransfer',
      FStockOutOrgId: org,
      FOwnerTypeOutIdHead: 'BD_OwnerOrg',
      FOwnerOutIdHead: org,
      FStockOrgId: org,
      FOwnerTypeIdHead: 'BD_OwnerOrg',
      FOwnerIdHead: org,
      FNote: '补货',
      FBillEntry: [
        { FMaterialId: { FNumber: KD_WDT_SPEC }, FUnitID: { FNumber: 'Pcs' }, FQty: quantity, FSrcStockId: { FNumber: KD_WDT_WAREHOUSE }, FDestStockId: { FNumber: to }, FOwnerTypeOutId: 'BD_OwnerOrg', FOwnerOutId: org, FOwnerTypeId: 'BD_OwnerOrg', FOwnerId: org },
      ],
    } as never);
    await this.operate('STK_TransferDirect', saved.number, ['Submit', 'Audit']);
    return saved.number;
  }

  /**
   * A 盘盈单 (STK_StockCountGain) or 盘亏单 (STK_StockCountLoss) in KD_WDT_WAREHOUSE: 账存 `book`, 盘点 `counted`, the
   * difference as 盘盈/盘亏数量; submitted and audited: its number.
   */
  async auditedStockCount(side: 'Gain' | 'Loss', book: string, counted: string): Promise<string> {
    const formId = `STK_StockCount${side}`;
    const difference = new Decimal(counted).minus(book).abs().toString();
    const saved = await this.client.save(formId, {
      FBillTypeID: { FNumber: side === 'Gain' ? 'PY01_SYS' : 'PK01_SYS' },
      FDate: today(),
      FStockOrgId: { FNumber: '100' },
      FOwnerTypeIdHead: 'BD_OwnerOrg',
      FOwnerIdHead: { FNumber: '100' },
      FNoteHead: '月末盘点',
      FBillEntry: [
        { FMaterialId: { FNumber: KD_WDT_SPEC }, FUnitID: { FNumber: 'Pcs' }, FStockId: { FNumber: KD_WDT_WAREHOUSE }, FAcctQty: book, FCountQty: counted, [side === 'Gain' ? 'FGainQty' : 'FLossQty']: difference },
      ],
    } as never);
    await this.operate(formId, saved.number, ['Submit', 'Audit']);
    return saved.number;
  }

  /**
   * A 组装拆卸单 (STK_AssembledApp) in KD_WDT_WAREHOUSE, submitted and audited: one 成品 `product` × `quantity` with
   * one 子件 `component` × `componentQuantity` (组装 consumes the 子件, 拆卸 the 成品). Its number.
   */
  async auditedAssembly(affair: 'Assembly' | 'Dassembly', product: { material: string; quantity: string }, component: { material: string; quantity: string }): Promise<string> {
    const stock = { FNumber: KD_WDT_WAREHOUSE };
    const saved = await this.client.save('STK_AssembledApp', {
      FBillTypeID: { FNumber: 'ZZCX01_SYS' },
      FDate: today(),
      FStockOrgId: { FNumber: '100' },
      FAffairType: affair,
      FNote: '礼盒',
      FEntity: [
        {
          FMaterialID: { FNumber: product.material },
          FUnitID: { FNumber: 'Pcs' },
          FQty: product.quantity,
          FStockID: stock,
          FSubEntity: [{ FMaterialIDSETY: { FNumber: component.material }, FUnitIDSETY: { FNumber: 'Pcs' }, FQtySETY: component.quantity, FStockIDSETY: stock }],
        },
      ],
    } as never);
    await this.operate('STK_AssembledApp', saved.number, ['Submit', 'Audit']);
    return saved.number;
  }

  /** A 是否网销 material (base unit Pcs unless `unit: false`), submitted and audited: its number. */
  async material(number: string, options: TestMaterial = {}): Promise<string> {
    return saveMaterial(this.client, number, options);
  }

  /** The sink's ledger entry (latest revision) by ledger id `<sid>|<kind>|<outer_no>`. */
  async ledgerOf(ledgerId: string): Promise<Record<string, unknown> | undefined> {
    return (await this.db.collection('sink_wangdiantong_ledger').find({ ledgerId }).sort({ revision: -1 }).limit(1).toArray())[0];
  }

  /** Whether the sink posted a document of `kind` (stockin_purchase, purchase_return, other_instock, …) by outer number. */
  async posted(kind: string, outerNo: string): Promise<boolean> {
    return (await this.ledgerOf(`${DEFAULT_QYB_ACCOUNT.sid}|${kind}|${outerNo}`))?.state === 'POSTED';
  }

  async stop(): Promise<void> {
    for (const name of ['source', 'mapping', 'sink'] as const) await this.services[name].dispose();
    if (!this.sharedEmulators) await Promise.allSettled([this.wdt.close(), this.kingdee.close()]);
    await this.mongo.close();
  }
}

function today(): string {
  return formatBeijingTime(Date.now()).slice(0, 10);
}
