import { secretReference } from '@yecai/connector-kit';
import { checkKitFlows, kitFlowFields, postingSettingsFields, sinkConfigLoaders } from '@yecai/sink-kit';
import { z } from 'zod';

/** Canonical types this sink writes to 旺店通 (Kingdee → WDT flows); never one sink-kingdee or sink-yonyou consumes. */
export const WDT_SINK_DOCUMENT_TYPES = ['oms_purchase_instock', 'oms_purchase_return', 'oms_other_instock', 'oms_other_outstock', 'oms_transfer', 'oms_stock_count', 'oms_goods'] as const;
export type WdtSinkDocumentType = (typeof WDT_SINK_DOCUMENT_TYPES)[number];

/**
 * A Kingdee stock bill → a WDT stock bill of one kind (documentType = the canonical type consumed from
 * `canonical.<documentType>`). The 外部单号 (outer_no) WDT keeps unique per kind is the idempotency key, rendered from
 * the Kingdee bill (default `{billNumber}` = its FBillNo). onModified: a pushed WDT stock bill cannot be changed, so a
 * later version of the Kingdee bill parks (level 2) unless the flow says `ignore`.
 */
const stockBillFlow = <T extends WdtSinkDocumentType>(documentType: T) => z.object({ documentType: z.literal(documentType), ...kitFlowFields });

/** 采购入库单 → 采购入库 (stockin_purchase_push), 采购退料单 → 采购退货 (purchase_return_push), 其他入库单 → 其他入库
 * (stockin_order_push), 其他出库单 → 其他出库 (stockout_order_push), 直接调拨单 → 调拨单 (stock_transfer_push). */
const PurchaseInstockFlowSchema = stockBillFlow('oms_purchase_instock');
const PurchaseReturnFlowSchema = stockBillFlow('oms_purchase_return');
const OtherInstockFlowSchema = stockBillFlow('oms_other_instock');
const OtherOutstockFlowSchema = stockBillFlow('oms_other_outstock');
const TransferFlowSchema = stockBillFlow('oms_transfer');
/** 盘盈单 / 盘亏单 → 盘点单 (stock_sync_by_pd): sets the counted stock. */
const StockCountFlowSchema = stockBillFlow('oms_stock_count');

/** Kingdee material → WDT 货品档案 (goods_push). */
const GoodsFlowSchema = z
  .object({
    documentType: z.literal('oms_goods'),
    /**
     * The idempotency key is WDT's own: the 商家编码 (spec_no) WDT upserts specs by = the event's `sku` (the Kingdee
     * material number). Not configurable: another key would make a second spec row.
     */
    billNumberPattern: z.literal('{sku}').default('{sku}'),
    /** A later version of the material is pushed onto the same goods (an upsert); `ignore` keeps the first push. */
    onModified: kitFlowFields.onModified,
  })
  .strict();

export const FlowConfigSchema = z.discriminatedUnion('documentType', [PurchaseInstockFlowSchema, PurchaseReturnFlowSchema, OtherInstockFlowSchema, OtherOutstockFlowSchema, TransferFlowSchema, StockCountFlowSchema, GoodsFlowSchema]);
export type FlowConfig = z.infer<typeof FlowConfigSchema>;

/**
 * The 旺店通 connection. 企业版 (openapi2) only: its stock-bill pushes are keyed by our outer
 * number, which the 旗舰版 upload has no field for (docs/reverse-flows.md).
 */
export const WdtConnectionSchema = z
  .object({
    edition: z.literal('qyb').default('qyb'),
    sid: z.string().min(1).describe('卖家账号 sid.'),
    appKey: z.string().min(1),
    appSecret: secretReference(),
    baseUrl: z.url().default('https://api.wangdian.cn/openapi2'),
    requestTimeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();
export type WdtConnection = z.infer<typeof WdtConnectionSchema>;

export const SinkConfigSchema = z
  .object({
    wangdiantong: WdtConnectionSchema,
    flows: z.array(FlowConfigSchema).min(1),
    ...postingSettingsFields,
    groupId: postingSettingsFields.groupId.default('yecai-sink-wangdiantong'),
  })
  .superRefine((config, context) => {
    checkKitFlows(config.flows, (path, message) => context.addIssue({ code: 'custom', path, message }));
  });
export type SinkConfig = z.infer<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;

/** The config from an object or a YAML / JSON file; errors name the field. */
export const { parseSinkConfig, loadSinkConfigFile } = sinkConfigLoaders(SinkConfigSchema);
