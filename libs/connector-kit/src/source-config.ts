/**
 * Configuration every source service shares (Kafka endpoints, ops port, polling, window overrides, retry), so a
 * new source's config schema adds only its accounts.
 */
import { z } from 'zod';
import { ValidationError } from '@yecai/common';

export interface SourceConfigDefaults {
  /** Default service name (checkpoint topic, transactional ids, metric prefix). */
  service: string;
  opsPort: number;
  /** Largest window override the source's APIs accept, in minutes. */
  maxWindowMinutes: number;
}

/** The zod fields of a source service's config besides `accounts`; spread them into the source's schema. */
export function sourceServiceConfigFields(defaults: SourceConfigDefaults) {
  return {
    service: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .default(defaults.service)
      .describe('Service name: checkpoint topic checkpoint.<service>, transactional ids, metric prefix'),
    kafkaBrokers: z.array(z.string().min(1)).optional().describe('Kafka brokers; default from KAFKA_BROKERS'),
    schemaRegistryUrl: z.string().optional().describe('Schema registry (Confluent API); default from SCHEMA_REGISTRY_URL'),
    opsPort: z.number().int().min(0).max(65535).default(defaults.opsPort).describe('Port of /healthz /readyz /metrics'),
    pollIntervalSeconds: z.number().positive().default(30).describe('Pause between two cycles of a live stream'),
    windowMinutes: z
      .number()
      .positive()
      .max(defaults.maxWindowMinutes)
      .optional()
      .describe("Override of every stream's window size (minutes), capped at the API's limit"),
    overlapMinutes: z.number().nonnegative().optional().describe("Override of every stream's re-read overlap (minutes)"),
    retry: z
      .object({
        maxAttempts: z.number().int().positive(),
        initialDelayMs: z.number().int().positive(),
        maxDelayMs: z.number().int().positive(),
      })
      .partial()
      .default({})
      .describe('Retries of retriable API errors (full jitter); throttling waits do not use up attempts'),
  };
}

/** Brokers and registry from the config, else from KAFKA_BROKERS / SCHEMA_REGISTRY_URL; an error names what is missing. */
export function sourceKafkaEndpoints(config: { kafkaBrokers?: string[] | undefined; schemaRegistryUrl?: string | undefined }): {
  brokers: string[];
  registryUrl: string;
} {
  const brokers = config.kafkaBrokers ?? process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (!brokers?.length) throw new ValidationError('config: kafkaBrokers is missing and KAFKA_BROKERS is not set', 'kafkaBrokers');
  const registryUrl = config.schemaRegistryUrl ?? process.env.SCHEMA_REGISTRY_URL;
  if (!registryUrl)
    throw new ValidationError('config: schemaRegistryUrl is missing and SCHEMA_REGISTRY_URL is not set', 'schemaRegistryUrl');
  return { brokers, registryUrl };
}

/** A secret in a source config: a reference (`env:NAME`, `file:/path`) resolved with resolveSecret, never inline. */
export const secretReference = () => z.string().regex(/^(env:|file:)/, 'secrets are references: env:NAME or file:/path');
