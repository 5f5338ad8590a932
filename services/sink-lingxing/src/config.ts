import { checkKitFlows, kitFlowFields, postingSettingsFields, sinkConfigLoaders } from '@yecai/sink-kit';
import { lingxingAccountSchema } from '@yecai/source-lingxing';
import { z } from 'zod';

/** Canonical types this sink writes to 领星 (Kingdee → 领星 flows); never one another sink consumes for 领星. */
export const LINGXING_SINK_DOCUMENT_TYPES = ['oms_goods'] as const;
export type LingxingSinkDocumentType = (typeof LINGXING_SINK_DOCUMENT_TYPES)[number];

export const FlowConfigSchema = z
  .object({
    /** Canonical document type consumed from topic `canonical.<documentType>`. */
    documentType: z.enum(LINGXING_SINK_DOCUMENT_TYPES),
    /**
     * The idempotency key is 领星's own: the local product's `sku` product/set upserts by = the event's `sku` (the
     * Kingdee material number). Not configurable: another key would make a second product.
     */
    billNumberPattern: z.literal('{sku}').default('{sku}'),
    /**
     * A later version of the material: the product is updated in place (product/set upserts by sku), so the kit's
     * default `update_if_not_audited` writes it again onto the same product; `ignore` keeps the first write.
     */
    onModified: kitFlowFields.onModified,
  })
  .strict();
export type FlowConfig = z.infer<typeof FlowConfigSchema>;

/**
 * The 领星 connection: the same fields as a source-lingxing account (one schema), without the source's streams and
 * windows. Tokens are fetched with appId/appSecret; each process holds its own, so the sink may share the source's app.
 */
export const LingxingConnectionSchema = lingxingAccountSchema
  .pick({ name: true, baseUrl: true, appId: true, appSecret: true, buckets: true, throttleBackoffMs: true, requestTimeoutMs: true })
  .strict();
export type LingxingConnection = z.infer<typeof LingxingConnectionSchema>;

export const SinkConfigSchema = z
  .object({
    lingxing: LingxingConnectionSchema,
    flows: z.array(FlowConfigSchema).min(1),
    ...postingSettingsFields,
    groupId: postingSettingsFields.groupId.default('yecai-sink-lingxing'),
  })
  .superRefine((config, context) => {
    checkKitFlows(config.flows, (path, message) => context.addIssue({ code: 'custom', path, message }));
  });
export type SinkConfig = z.infer<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;

/** The config from an object or a YAML / JSON file; errors name the field. */
export const { parseSinkConfig, loadSinkConfigFile } = sinkConfigLoaders(SinkConfigSchema);
