/** One 领星 account; the service-level settings and config loading are the kit's (defineSource). */
import { z } from 'zod';
import { parseBeijingTime, resolveSecret } from '@yecai/common';
import { secretReference } from '@yecai/connector-kit';

export const lingxingAccountSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .describe('Account name in document keys, checkpoint keys and metric labels'),
  baseUrl: z.url().default('https://openapi.lingxing.com').describe('Open-API host'),
  appId: z
    .string()
    .refine(
      (value) => Buffer.byteLength(value, 'utf8') === 16,
      'appId 须为 16 个字符（签名的 AES-128 密钥）/ appId must be 16 characters (the AES-128 signing key)',
    )
    .describe('App id (app_key), 16 characters; not a secret: sent with every call'),
  appSecret: secretReference().describe('App secret (env:NAME or file:/path); access tokens are fetched with it'),
  startAt: z.string().describe('Where a stream without a checkpoint starts, Beijing time yyyy-MM-dd HH:mm:ss'),
  masterDataStartAt: z
    .string()
    .refine(isBeijingTime, '须为北京时间 yyyy-MM-dd HH:mm:ss / must be Beijing time yyyy-MM-dd HH:mm:ss')
    .default('2015-01-01 00:00:00')
    .describe(
      'Where master data (products, currency rates) starts without a checkpoint, Beijing time: it was last edited long before startAt',
    ),
  streams: z.array(z.string()).optional().describe('Streams to run; default all'),
  rateLimits: z
    .object({ perSecond: z.number().int().positive(), perMinute: z.number().int().positive() })
    .default({ perSecond: 10, perMinute: 600 })
    .describe('Client-side call budget per account (领星 limits concurrency per path, not calls per second)'),
  buckets: z
    .record(z.string(), z.number().int().positive())
    .default({})
    .describe('Concurrent calls per API path when a tenant was given other capacities than documented (path → n)'),
  throttleBackoffMs: z
    .number()
    .int()
    .nonnegative()
    .default(1000)
    .describe('Wait after a 3001008 (bucket empty) answer'),
  requestTimeoutMs: z.number().int().positive().default(30_000).describe('Timeout of one API call (ms)'),
});

function isBeijingTime(text: string): boolean {
  try {
    parseBeijingTime(text, 'masterDataStartAt');
    return true;
  } catch {
    return false;
  }
}

export type LingxingAccountConfig = z.output<typeof lingxingAccountSchema>;

/** Secrets of one account, resolved at start; never logged. Errors name the setting, never the value. */
export function resolveLingxingSecrets(account: LingxingAccountConfig, index: number) {
  return { appSecret: resolveSecret(account.appSecret, `accounts.${index}.appSecret`) };
}
