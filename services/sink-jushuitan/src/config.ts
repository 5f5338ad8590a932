import { checkKitFlows, kitFlowFields, postingSettingsFields, sinkConfigLoaders } from '@yecai/sink-kit';
import { jstAccountSchema } from '@yecai/source-jushuitan';
import { z } from 'zod';

/** Canonical types this sink writes to 聚水潭 (Kingdee → JST flows); never one sink-kingdee or sink-yonyou consumes. */
export const JST_SINK_DOCUMENT_TYPES = ['oms_goods'] as const;
export type JstSinkDocumentType = (typeof JST_SINK_DOCUMENT_TYPES)[number];

export const FlowConfigSchema = z
  .object({
    /** Canonical document type consumed from topic `canonical.<documentType>`. */
    documentType: z.enum(JST_SINK_DOCUMENT_TYPES),
    /**
     * The idempotency key is JST's own: the 商品编码 (sku_id) JST upserts by = the event's `sku` (the Kingdee material
     * number). Not configurable: another key would make a second goods row.
     */
    billNumberPattern: z.literal('{sku}').default('{sku}'),
    /**
     * A later version of the material: goods are updated in place (JST upserts by sku_id), so the kit's default
     * `update_if_not_audited` uploads it again onto the same goods; `ignore` keeps the first upload.
     */
    onModified: kitFlowFields.onModified,
  })
  .strict();
export type FlowConfig = z.infer<typeof FlowConfigSchema>;

/**
 * The 聚水潭 connection: the same fields as a source-jushuitan account (one schema), without the source's streams.
 * A refresh revokes the previous token pair: give the sink its own app (or its own `tokenFile` shared with nobody).
 */
export const JstConnectionSchema = jstAccountSchema
  .pick({ name: true, baseUrl: true, appKey: true, appSecret: true, accessToken: true, refreshToken: true, tokenFile: true, throttleBackoff: true, requestTimeoutMs: true })
  .strict();
export type JstConnection = z.infer<typeof JstConnectionSchema>;

export const SinkConfigSchema = z
  .object({
    jushuitan: JstConnectionSchema,
    flows: z.array(FlowConfigSchema).min(1),
    ...postingSettingsFields,
    groupId: postingSettingsFields.groupId.default('yecai-sink-jushuitan'),
  })
  .superRefine((config, context) => {
    checkKitFlows(config.flows, (path, message) => context.addIssue({ code: 'custom', path, message }));
  });
export type SinkConfig = z.infer<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;

/** The config from an object or a YAML / JSON file; errors name the field. */
export const { parseSinkConfig, loadSinkConfigFile } = sinkConfigLoaders(SinkConfigSchema);
