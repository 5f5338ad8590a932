import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError, parseBeijingTime, parseWith, resolveSecret } from '@yecai/common';
import type { JstTokenStore, JstTokens } from './transport';

const SECRET_REF = z.string().regex(/^(env:|file:)/, 'secrets are references: env:NAME or file:/path');

/** One JST company account (several per deployment). */
export const jstAccountSchema = z.object({
  /** Account name used in document keys, checkpoint keys and metric labels: lower-case letters, digits, `_`, `-`. */
  name: z.string().regex(/^[a-z0-9_-]+$/),
  /** Open-platform host: https://openapi.jushuitan.com (sandbox https://dev-api.jushuitan.com). */
  baseUrl: z.url().default('https://openapi.jushuitan.com'),
  appKey: z.string().min(1),
  appSecret: SECRET_REF,
  accessToken: SECRET_REF,
  /** Needed for 自研 apps to refresh an expired token; ISV apps must re-authorise instead. */
  refreshToken: SECRET_REF.optional(),
  /** File where rotated tokens are kept between restarts (a refresh revokes the old pair). Mode 0600. */
  tokenFile: z.string().optional(),
  /** Where a stream without a checkpoint starts, Beijing time `yyyy-MM-dd HH:mm:ss`. */
  startAt: z.string(),
  /** Streams to run; default all. */
  streams: z.array(z.string()).optional(),
  /** Client-side call budget; JST allows 5/s and 100/min per app. */
  rateLimits: z
    .object({ perSecond: z.number().int().positive(), perMinute: z.number().int().positive() })
    .default({ perSecond: 5, perMinute: 100 }),
  /** Wait after a 199 / 200 answer (documented: at least 1 s and 60 s). */
  throttleBackoff: z
    .object({ perSecondMs: z.number().int().nonnegative(), perMinuteMs: z.number().int().nonnegative() })
    .default({ perSecondMs: 1000, perMinuteMs: 60_000 }),
  requestTimeoutMs: z.number().int().positive().default(30_000),
});

export const jstSourceConfigSchema = z.object({
  service: z
    .string()
    .regex(/^[a-z0-9_]+$/)
    .default('source_jushuitan'),
  /** Kafka brokers; default from KAFKA_BROKERS. */
  kafkaBrokers: z.array(z.string().min(1)).optional(),
  /** Schema registry (Confluent API); default from SCHEMA_REGISTRY_URL. */
  schemaRegistryUrl: z.string().optional(),
  /** Port of /healthz /readyz /metrics. */
  opsPort: z.number().int().min(0).max(65535).default(9464),
  pollIntervalSeconds: z.number().positive().default(30),
  /** Overrides of the stream declarations' window size and overlap (minutes), for every stream. */
  windowMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .optional(),
  overlapMinutes: z.number().nonnegative().optional(),
  retry: z
    .object({
      maxAttempts: z.number().int().positive(),
      initialDelayMs: z.number().int().positive(),
      maxDelayMs: z.number().int().positive(),
    })
    .partial()
    .default({}),
  accounts: z.array(jstAccountSchema).min(1),
});

export type JstSourceConfig = z.output<typeof jstSourceConfigSchema>;
export type JstAccountConfig = z.output<typeof jstAccountSchema>;

export async function loadJstConfig(path: string): Promise<JstSourceConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`config: cannot read ${path}`, 'config', error);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ValidationError(`config ${path}: not YAML/JSON (${String(error)})`, 'config', error);
  }
  const config = parseWith(jstSourceConfigSchema, raw, `config ${path}`);
  const names = new Set<string>();
  config.accounts.forEach((account, index) => {
    if (names.has(account.name))
      throw new ValidationError(
        `config ${path}: accounts.${index}.name "${account.name}" is used twice`,
        `accounts.${index}.name`,
      );
    names.add(account.name);
    parseBeijingTime(account.startAt, `accounts.${index}.startAt`);
  });
  return config;
}

/** Secrets of one account, resolved at start; never logged. */
export function resolveAccountSecrets(
  account: JstAccountConfig,
  index: number,
): { appSecret: string; tokens: JstTokens } {
  const field = (name: string) => `accounts.${index}.${name}`;
  return {
    appSecret: resolveSecret(account.appSecret, field('appSecret')),
    tokens: {
      accessToken: resolveSecret(account.accessToken, field('accessToken')),
      ...(account.refreshToken ? { refreshToken: resolveSecret(account.refreshToken, field('refreshToken')) } : {}),
    },
  };
}

/** Rotated tokens in a 0600 JSON file, replaced atomically. */
export function fileTokenStore(path: string): JstTokenStore {
  return {
    async load() {
      try {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<JstTokens>;
        return typeof parsed.accessToken === 'string'
          ? { accessToken: parsed.accessToken, ...(parsed.refreshToken ? { refreshToken: parsed.refreshToken } : {}) }
          : undefined;
      } catch {
        return undefined;
      }
    },
    async save(tokens) {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.tmp`;
      await writeFile(temporary, JSON.stringify(tokens), { mode: 0o600 });
      await rename(temporary, path);
    },
  };
}
