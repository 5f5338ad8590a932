import { AdminTokenEntrySchema, parseWith, readConfigFile } from '@yecai/common';
import { z } from 'zod';
import { AggregationConfigSchema, checkAggregation } from './aggregation/config';
import { SINK_DOCUMENT_TYPES, isMasterDataType } from './master-data';

/**
 * What to do with a source document that changes after its bill was written (never a silent second bill):
 * - `ignore`: keep the posted bill, record the ignored version in the ledger history;
 * - `update_if_not_audited`: Save the new version onto the same bill (FID) while Kingdee has not audited it;
 *   an audited bill parks the new version for a person;
 * - `reverse_and_repost`: UnAudit the bill (Kingdee reverses its stock and accounting effect), save the new
 *   version onto it and Submit/Audit again.
 */
export const ModifiedPolicySchema = z.enum(['ignore', 'update_if_not_audited', 'reverse_and_repost']);
export type ModifiedPolicy = z.infer<typeof ModifiedPolicySchema>;

export const FlowConfigSchema = z.object({
  /** Canonical document type consumed from topic `canonical.<documentType>` (bills, or material/customer/supplier). */
  documentType: z.enum(SINK_DOCUMENT_TYPES),
  /**
   * Deterministic FBillNo. Placeholders: {billNumber} (the canonical bill number), {sourceId}, {sourceSystem},
   * {account}, {documentType}. The same source document always gets the same number: that is what makes a
   * second Save of it impossible (FBillNo is unique per form).
   */
  billNumberPattern: z.string().min(1).default('{billNumber}'),
  /** Run Submit after Save. */
  submit: z.boolean().default(true),
  /** Run Audit after Submit (requires submit). */
  audit: z.boolean().default(true),
  onModified: ModifiedPolicySchema.default('update_if_not_audited'),
  /** Bill type number (FBillTypeID), default: the form's standard type (e.g. XSCKD01_SYS). */
  billType: z.string().min(1).optional(),
  /** Interaction flags auto-confirmed on Save and Audit, e.g. STK_InvCheckResult (allow negative stock). */
  interactionFlags: z.array(z.string().min(1)).default([]),
  /**
   * Master data only: use orgs (numbers) every record of this flow is allocated to (分配) after it is audited in
   * its create org, besides the event's own `useOrgs`. An org that already has the record is not an error.
   */
  allocateToOrgs: z.array(z.string().min(1)).default([]),
  /** Field keys of the tenant's custom fields (flows.md §2: 物流单号, 线上订单号). */
  customFields: z
    .object({ logisticsNumber: z.string().min(1).default('F_YC_LogisticsNo'), onlineOrderNumber: z.string().min(1).default('F_YC_OnlineOrderNo') })
    .prefault({}),
  /** Aggregated (汇总) posting: documents grouped into summary bills (aggregation/config.ts). Absent = one bill per document. */
  aggregation: AggregationConfigSchema.optional(),
});
export type FlowConfig = z.infer<typeof FlowConfigSchema>;

export const SinkConfigSchema = z
  .object({
    /** Kingdee connection (validated by @yecai/kingdee): the target 账套 is its acctId. */
    kingdee: z.record(z.string(), z.unknown()),
    flows: z.array(FlowConfigSchema).min(1),
    /** Consumer group id. */
    groupId: z.string().min(1).default('yecai-sink-kingdee'),
    /** Consumer session timeout: how long a crashed instance keeps its partitions before the group moves them. */
    sessionTimeoutMs: z.number().int().min(6_000).default(30_000),
    /** Bills per BatchSave call (kingdee-webapi.md §7: keep ≤ 100). */
    batchSize: z.number().int().min(1).max(100).default(20),
    /**
     * BatchSave chunks in flight at once (across partitions and within one): one chunk's Kingdee calls overlap
     * another's ledger writes, which is what lets the sink use its configured Kingdee rate. Kingdee calls
     * themselves stay within `kingdee.limits` (the client's limiter).
     */
    chunksInFlight: z.number().int().min(1).max(64).default(4),
    /** How often the ledger gauges are recounted from the database (between recounts they follow this process's writes). */
    ledgerCountsRefreshMs: z.number().int().positive().default(600_000),
    /** Level-2 (库存不足, closed period) retry ladder: delay before each automatic retry; then a person decides. */
    level2RetryDelaysMs: z.array(z.number().int().positive()).default([60_000, 300_000, 1_800_000, 7_200_000]),
    /** Level 3: how often a paused sink probes Kingdee to resume by itself. */
    probeIntervalMs: z.number().int().positive().default(5_000),
    /** How often the scheduler looks for due level-2 retries and abandoned in-flight entries. */
    schedulerIntervalMs: z.number().int().positive().default(5_000),
    /**
     * How often the scheduler re-reads every open ledger entry (a scan on FerretDB); between sweeps it looks only at
     * the open entries this instance wrote or read. Open entries of other instances are seen within this interval.
     */
    schedulerSweepMs: z.number().int().nonnegative().default(300_000),
    /** A PENDING/IN_DOUBT entry untouched this long is resolved by the scheduler (its Kafka message is gone). */
    staleInFlightMs: z.number().int().positive().default(120_000),
    admin: z
      .object({
        /** Bearer tokens of the admin API (@yecai/common admin-auth): viewer reads, operator also re-pushes, skips, pauses. */
        tokens: z.array(AdminTokenEntrySchema).default([]),
      })
      .prefault({}),
  })
  .superRefine((config, context) => {
    config.flows.forEach((flow, index) => {
      if (flow.audit && !flow.submit) context.addIssue({ code: 'custom', path: ['flows', index, 'audit'], message: 'audit requires submit: true' });
      if (flow.allocateToOrgs.length > 0 && !isMasterDataType(flow.documentType)) {
        context.addIssue({ code: 'custom', path: ['flows', index, 'allocateToOrgs'], message: 'only master-data flows (material, customer, supplier) are allocated to use orgs' });
      }
      if (isMasterDataType(flow.documentType) && !flow.audit) {
        context.addIssue({ code: 'custom', path: ['flows', index, 'audit'], message: 'master data must be audited (Kingdee allocates audited records only): audit: true' });
      }
      if (config.flows.findIndex((other) => other.documentType === flow.documentType) !== index) {
        context.addIssue({ code: 'custom', path: ['flows', index, 'documentType'], message: `flow ${flow.documentType} is configured twice` });
      }
      checkAggregation(flow, index, (path, message) => context.addIssue({ code: 'custom', path, message })); // aggregated posting
    });
  });
export type SinkConfig = z.infer<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;

export function parseSinkConfig(input: unknown, source = 'sink config'): SinkConfig {
  return parseWith(SinkConfigSchema, input, source);
}

/** Reads a YAML or JSON config file. */
export function loadSinkConfigFile(path: string): SinkConfig {
  return parseSinkConfig(readConfigFile(path, 'SINK_CONFIG'), path);
}

/** Process environment of the sink service (env names are the documentation). */
export const SinkEnvSchema = z.object({
  SINK_CONFIG: z.string().min(1, 'required: path of the sink config file (YAML or JSON)'),
  KAFKA_BROKERS: z.string().min(1, 'required, e.g. 127.0.0.1:9092'),
  SCHEMA_REGISTRY_URL: z.url(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI'),
  MONGODB_DB: z.string().min(1).default('yecai'),
  SINK_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(8083),
});
export type SinkEnv = z.infer<typeof SinkEnvSchema>;
