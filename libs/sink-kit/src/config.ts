/**
 * The parts of a sink's configuration every target shares: how a flow treats changed documents, its deterministic
 * key, aggregation, and the posting engine's knobs. A target's own config schema extends these
 * (services/sink-kingdee/src/config.ts adds Kingdee's submit/audit, bill types, interaction flags…).
 */
import { AdminTokenEntrySchema, parseWith, readConfigFile } from '@yecai/common';
import { z } from 'zod';
import { AggregationConfigSchema, type AggregationConfig } from './aggregation/config';

/**
 * What to do with a source document that changes after its target document was written (never a silent second one):
 * - `ignore`: keep the written document, record the ignored version in the ledger history;
 * - `update_if_not_audited`: write the new version onto the same target document while it is not audited (SAVED);
 *   an audited one parks the new version for a person;
 * - `reverse_and_repost`: reverse the audited document (Kingdee: UnAudit), write the new version onto it and drive it
 *   to its wanted stage again.
 */
export const ModifiedPolicySchema = z.enum(['ignore', 'update_if_not_audited', 'reverse_and_repost']);
export type ModifiedPolicy = z.infer<typeof ModifiedPolicySchema>;

/** Flow fields the kit reads; a target's flow schema spreads these into its own `z.object`. */
export const kitFlowFields = {
  /**
   * Deterministic document number on the target (the idempotency key). Placeholders: {billNumber} (the canonical
   * bill number), {sourceId}, {sourceSystem}, {account}, {documentType}. The same source document always gets the
   * same number: that is what makes a second write of it impossible.
   */
  billNumberPattern: z.string().min(1).default('{billNumber}'),
  onModified: ModifiedPolicySchema.default('update_if_not_audited'),
  /** Aggregated (汇总) posting: documents grouped into summary bills (aggregation/config.ts). Absent = one bill per document. */
  aggregation: AggregationConfigSchema.optional(),
};

/** What the kit needs of a flow (a target's flow type extends it). */
export interface KitFlow {
  documentType: string;
  billNumberPattern: string;
  onModified: ModifiedPolicy;
  aggregation?: AggregationConfig | undefined;
}

/** The posting engine's and service's settings, shared by every target (a target may narrow a default or a bound). */
export const postingSettingsFields = {
  /** Consumer group id. */
  groupId: z.string().min(1),
  /** Consumer session timeout: how long a crashed instance keeps its partitions before the group moves them. */
  sessionTimeoutMs: z.number().int().min(6_000).default(30_000),
  /** Documents per target write call. */
  batchSize: z.number().int().min(1).max(100).default(20),
  /**
   * Write chunks in flight at once (across partitions and within one): one chunk's target calls overlap another's
   * ledger writes, which is what lets the sink use its configured target rate. Target calls themselves stay within
   * the target client's limits.
   */
  chunksInFlight: z.number().int().min(1).max(64).default(4),
  /** How often the ledger gauges are recounted from the database (between recounts they follow this process's writes). */
  ledgerCountsRefreshMs: z.number().int().positive().default(600_000),
  /** Level-2 (库存不足, closed period) retry ladder: delay before each automatic retry; then a person decides. */
  level2RetryDelaysMs: z.array(z.number().int().positive()).default([60_000, 300_000, 1_800_000, 7_200_000]),
  /** Level 3: how often a paused sink probes the target to resume by itself. */
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
};

/** The settings object the kit's service reads (a target's parsed config satisfies it). */
export interface PostingSettings<F extends KitFlow = KitFlow> {
  flows: F[];
  groupId: string;
  sessionTimeoutMs: number;
  batchSize: number;
  chunksInFlight: number;
  ledgerCountsRefreshMs: number;
  level2RetryDelaysMs: number[];
  probeIntervalMs: number;
  schedulerIntervalMs: number;
  schedulerSweepMs: number;
  staleInFlightMs: number;
}

/**
 * `parseSinkConfig` / `loadSinkConfigFile` for a sink's config schema: errors name the field (`parseWith`), a file
 * is YAML or JSON with `SINK_CONFIG_*` environment overrides (`readConfigFile`). Every sink has the same two.
 */
export function sinkConfigLoaders<S extends z.ZodType>(schema: S) {
  const parseSinkConfig = (input: unknown, source = 'sink config'): z.infer<S> => parseWith(schema, input, source);
  const loadSinkConfigFile = (path: string): z.infer<S> => parseSinkConfig(readConfigFile(path, 'SINK_CONFIG'), path);
  return { parseSinkConfig, loadSinkConfigFile };
}
