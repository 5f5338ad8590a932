import { secretReference } from '@yecai/connector-kit';
import { checkKitFlows, kitFlowFields, postingSettingsFields, sinkConfigLoaders } from '@yecai/sink-kit';
import { z } from 'zod';

/** Canonical types this sink writes to 旺店通 (Kingdee → WDT flows); never one sink-kingdee or sink-yonyou consumes. */
export const WDT_SINK_DOCUMENT_TYPES = ['oms_purchase_instock', 'oms_purchase_return', 'oms_goods'] as const;
export type WdtSinkDocumentType = (typeof WDT_SINK_DOCUMENT_TYPES)[number];

/** Kingdee 采购入库单 → WDT 采购入库 (stockin_purchase_push). */
const PurchaseInstockFlowSchema = z.object({
  /** Canonical document type consumed from topic `canonical.<documentType>`. */
  documentType: z.literal('oms_purchase_instock'),
  /**
   * The 外部单号 (outer_no) WDT keeps unique: the idempotency key, rendered from the Kingdee bill (default
   * `{billNumber}` = its FBillNo). onModified: a WDT stock-in cannot be changed once pushed, so a later version of the
   * Kingdee bill parks (level 2) unless the flow says `ignore`.
   */
  ...kitFlowFields,
});

/**
 * Kingdee 采购退料单 → WDT 采购退货 (purchase_return_push): the same key and rules as the stock-in, the other
 * direction — the 外部单号 (outer_no, default `{billNumber}` = the FBillNo) WDT keeps unique among returns.
 */
const PurchaseReturnFlowSchema = z.object({
  documentType: z.literal('oms_purchase_return'),
  ...kitFlowFields,
});

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

export const FlowConfigSchema = z.discriminatedUnion('documentType', [PurchaseInstockFlowSchema, PurchaseReturnFlowSchema, GoodsFlowSchema]);
export type FlowConfig = z.infer<typeof FlowConfigSchema>;

/**
 * The 旺店通 connection. 企业版 (openapi2) only: its purchase in-stock and return pushes are keyed by our outer
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
