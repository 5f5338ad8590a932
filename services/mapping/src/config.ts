import { z } from 'zod';
import { AdminTokensTextSchema, parseWith } from '@yecai/common';
import { isEntityName, isSourceScoped, type EntityName } from '@yecai/master-data';
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, DEFAULT_TRANSFORM_WORKERS } from './defaults';
import { FINANCE_TARGETS } from './rules/rule-schema';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Mapping service configuration from the environment (the flag/env names are the documentation). */
export const mappingConfigSchema = z.object({
  KAFKA_BROKERS: z.string().min(1, 'required, e.g. 127.0.0.1:9092'),
  SCHEMA_REGISTRY_URL: z.url(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI'),
  MONGODB_DB: z.string().min(1).default('yecai'),
  MAPPING_GROUP_ID: z.string().min(1).default('yecai-mapping'),
  MAPPING_RULES_DIR: z.string().optional(),
  MAPPING_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  /** Partitions of the topics mapping creates; unset: the topic settings table (libs/kafka/src/topic-settings.ts). */
  MAPPING_PARTITIONS: z.coerce.number().int().positive().optional(),
  MAPPING_CHUNK_SIZE: positiveInt(DEFAULT_CHUNK_SIZE),
  MAPPING_CONCURRENCY: positiveInt(DEFAULT_CONCURRENCY),
  /** Worker threads mapping chunks while the main thread runs Kafka (0 = map in the main thread). */
  MAPPING_TRANSFORM_WORKERS: z.coerce.number().int().min(0).max(16).default(DEFAULT_TRANSFORM_WORKERS),
  MAPPING_MAX_STALENESS_MS: positiveInt(10_000),
  /** How soon partitions of a crashed replica move to the others (Kafka group session timeout, ≥ 6000). */
  MAPPING_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
  MAPPING_REPROCESS_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * The finance system this deployment posts the finance rules' events to (`kingdee` or `yonyou`): park reasons name
   * it (仓库 100004 没有用友仓库映射). The rules are the same for both (one mapping per flow, whatever the target).
   */
  MAPPING_FINANCE_TARGET: z.enum(FINANCE_TARGETS).default('kingdee'),
  /**
   * Same-code fallback, off by default: a comma-separated list of entities (e.g. `warehouse,supplier`) whose missing
   * source mapping is answered by the Kingdee record of the same code pulled by `yecai master-data pull-kingdee`.
   */
  MAPPING_SAME_CODE_FALLBACK: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean))
    .refine((names) => names.every((name) => isEntityName(name) && isSourceScoped(name)), {
      message: 'must list entities kept per source system: warehouse, shop, sku, supplier, feeType',
    })
    .transform((names) => names as EntityName[]),
  /**
   * Admin API tokens (master data, parked documents), as YAML/JSON: `[{ name: ops, role: operator, token:
   * env:MAPPING_ADMIN_TOKEN }]` — the token itself always from another variable or a file (viewer reads, operator
   * changes). Unset: every admin call is refused.
   */
  MAPPING_ADMIN_TOKENS: AdminTokensTextSchema,
});

export type MappingConfig = z.infer<typeof mappingConfigSchema>;

export function loadMappingConfig(env: NodeJS.ProcessEnv = process.env): MappingConfig {
  return parseWith(mappingConfigSchema, env, 'mapping service environment');
}
