/** The reconciliation service's configuration (YAML or JSON file, RECONCILE_CONFIG) and environment, validated at start. */
import { AdminTokenEntrySchema, parseWith, readConfigFile } from '@yecai/common';
import { z } from 'zod';
import { RECONCILE_FLOWS } from './flows';
import { DEFAULT_THRESHOLD, DEFAULT_TOLERANCE } from './reconcile';

const decimalText = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal, e.g. 0.01');

export const ReconcileConfigSchema = z
  .object({
    /** Kingdee connection (validated by @yecai/kingdee), as in the sink's config — or `yonyou`, not both. */
    kingdee: z.record(z.string(), z.unknown()).optional(),
    /** YonSuite connection (validated by @yecai/yonyou), as in sink-yonyou's config: the mirror reads YonSuite. */
    yonyou: z.record(z.string(), z.unknown()).optional(),
    flows: z.array(z.enum(RECONCILE_FLOWS.map((flow) => flow.documentType) as [string, ...string[]])).optional(),
    groupId: z.string().min(1).default('yecai-reconcile'),
    tolerance: decimalText.default(DEFAULT_TOLERANCE),
    threshold: decimalText.default(DEFAULT_THRESHOLD),
    schedule: z
      .object({
        /** Daily run at this Beijing time (HH:MM); absent = no schedule (admin API and CLI only). */
        dailyAt: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (Beijing time), e.g. 02:30')
          .optional(),
        /** Until this day of the month the previous period is reconciled too (month-end close). */
        previousPeriodUntilDay: z.number().int().min(0).max(28).default(10),
      })
      .default({ previousPeriodUntilDay: 10 }),
    admin: z.object({ tokens: z.array(AdminTokenEntrySchema).default([]) }).default({ tokens: [] }),
  })
  .strict()
  .superRefine((config, context) => {
    if ((config.kingdee === undefined) === (config.yonyou === undefined))
      context.addIssue({
        code: 'custom',
        path: [config.kingdee === undefined ? 'kingdee' : 'yonyou'],
        message: '需要且只能配置一个财务系统 exactly one finance system: kingdee or yonyou',
      });
  });
export type ReconcileConfig = z.infer<typeof ReconcileConfigSchema>;
export type ReconcileConfigInput = z.input<typeof ReconcileConfigSchema>;

export function parseReconcileConfig(input: unknown, source = 'reconcile config'): ReconcileConfig {
  return parseWith(ReconcileConfigSchema, input, source);
}

export function loadReconcileConfigFile(path: string): ReconcileConfig {
  return parseReconcileConfig(readConfigFile(path, 'RECONCILE_CONFIG'), path);
}

export const ReconcileEnvSchema = z.object({
  RECONCILE_CONFIG: z.string().min(1, 'required: path of the reconcile config file (YAML or JSON)'),
  KAFKA_BROKERS: z.string().min(1, 'required, e.g. 127.0.0.1:9092'),
  SCHEMA_REGISTRY_URL: z.url(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI'),
  MONGODB_DB: z.string().min(1).default('yecai'),
  RECONCILE_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(8086),
});
