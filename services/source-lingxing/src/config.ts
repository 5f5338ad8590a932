/** One 领星 account; the service-level settings and config loading are the kit's (defineSource). */
import { z } from 'zod';
import { resolveSecret } from '@yecai/common';
import { secretReference } from '@yecai/connector-kit';

export const lingxingAccountSchema = z.object({
  name: z.string().regex(/^[a-z0-9_-]+$/).describe('Account name in document keys, checkpoint keys and metric labels'),
  baseUrl: z.url().describe('Open-API host'),
  appKey: z.string().min(1).describe('App key (not a secret: sent with every call)'),
  appSecret: secretReference().describe('App secret: env:NAME or file:/path'),
  accessToken: secretReference().describe('Access token: env:NAME or file:/path'),
  refreshToken: secretReference().optional().describe('Refresh token, to renew an expired access token'),
  startAt: z.string().describe('Where a stream without a checkpoint starts, Beijing time yyyy-MM-dd HH:mm:ss'),
  streams: z.array(z.string()).optional().describe('Streams to run; default all'),
  rateLimits: z
    .object({ perSecond: z.number().int().positive(), perMinute: z.number().int().positive() })
    .default({ perSecond: 5, perMinute: 100 })
    .describe('Client-side call budget (the vendor documents its own)'),
  throttleBackoffMs: z.number().int().nonnegative().default(1000).describe('Wait after a throttled answer'),
  requestTimeoutMs: z.number().int().positive().default(30_000),
});

export type LingxingAccountConfig = z.output<typeof lingxingAccountSchema>;

/** Secrets of one account, resolved at start; never logged. Errors name the setting, never the value. */
export function resolveLingxingSecrets(account: LingxingAccountConfig, index: number) {
  const field = (name: string) => `accounts.${index}.${name}`;
  return {
    appSecret: resolveSecret(account.appSecret, field('appSecret')),
    accessToken: resolveSecret(account.accessToken, field('accessToken')),
    ...(account.refreshToken ? { refreshToken: resolveSecret(account.refreshToken, field('refreshToken')) } : {}),
  };
}
