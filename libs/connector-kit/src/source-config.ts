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
      .default(defaults.service),
    /** Kafka brokers; default from KAFKA_BROKERS. */
    kafkaBrokers: z.array(z.string().min(1)).optional(),
    /** Schema registry (Confluent API); default from SCHEMA_REGISTRY_URL. */
    schemaRegistryUrl: z.string().optional(),
    /** Port of /healthz /readyz /metrics. */
    opsPort: z.number().int().min(0).max(65535).default(defaults.opsPort),
    pollIntervalSeconds: z.number().positive().default(30),
    /** Overrides of the stream declarations' window size and overlap (minutes), for every stream. */
    windowMinutes: z.number().positive().max(defaults.maxWindowMinutes).optional(),
    overlapMinutes: z.number().nonnegative().optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().positive(),
        initialDelayMs: z.number().int().positive(),
        maxDelayMs: z.number().int().positive(),
      })
      .partial()
      .default({}),
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
