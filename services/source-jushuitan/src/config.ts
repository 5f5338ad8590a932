import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { secretReference } from '@yecai/connector-kit';
import { resolveSecret } from '@yecai/common';
import type { JstTokenStore, JstTokens } from './transport';

const SECRET_REF = secretReference();

/** One JST company account (several per deployment). */
export const jstAccountSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .describe(
      'Account name used in document keys, checkpoint keys and metric labels: lower-case letters, digits, `_`, `-`.',
    ),
  baseUrl: z
    .url()
    .default('https://openapi.jushuitan.com')
    .describe('Open-platform host: https://openapi.jushuitan.com (sandbox https://dev-api.jushuitan.com).'),
  appKey: z.string().min(1),
  appSecret: SECRET_REF,
  accessToken: SECRET_REF,
  refreshToken: SECRET_REF.optional().describe(
    'Needed for 自研 apps to refresh an expired token; ISV apps must re-authorise instead.',
  ),
  tokenFile: z
    .string()
    .optional()
    .describe('File where rotated tokens are kept between restarts (a refresh revokes the old pair). Mode 0600.'),
  startAt: z.string().describe('Where a stream without a checkpoint starts, Beijing time `yyyy-MM-dd HH:mm:ss`.'),
  streams: z.array(z.string()).optional().describe('Streams to run; default all.'),
  rateLimits: z
    .object({ perSecond: z.number().int().positive(), perMinute: z.number().int().positive() })
    .default({ perSecond: 5, perMinute: 100 })
    .describe('Client-side call budget; JST allows 5/s and 100/min per app.'),
  throttleBackoff: z
    .object({ perSecondMs: z.number().int().nonnegative(), perMinuteMs: z.number().int().nonnegative() })
    .default({ perSecondMs: 1000, perMinuteMs: 60_000 })
    .describe('Wait after a 199 / 200 answer (documented: at least 1 s and 60 s).'),
  requestTimeoutMs: z.number().int().positive().default(30_000),
});

export type JstAccountConfig = z.output<typeof jstAccountSchema>;

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
