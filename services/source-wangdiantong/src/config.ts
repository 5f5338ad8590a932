import { z } from 'zod';
import { secretReference } from '@yecai/connector-kit';
import { ValidationError, resolveSecret } from '@yecai/common';
import { splitQjbAppSecret } from './signing';

const SECRET_REF = secretReference();

const common = {
  name: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .describe(
      'Account name used in document keys, checkpoint keys and metric labels: lower-case letters, digits, `_`, `-`.',
    ),
  sid: z
    .string()
    .min(1)
    .describe('卖家账号 — the tenant id WDT gives with the app. Not a secret (it is sent in every request).'),
  startAt: z
    .string()
    .describe('Where a document stream without a checkpoint starts, Beijing time `yyyy-MM-dd HH:mm:ss`.'),
  /**
   * Where the master-data streams (shops, warehouses, goods) start: their records carry the time they were
   * last edited, often years ago, so they start much earlier than the documents.
   */
  masterDataStartAt: z.string().default('2010-01-01 00:00:00'),
  streams: z.array(z.string()).optional().describe('Streams to run; default all.'),
  /**
   * Client-side call budget. WDT publishes no numbers (source-apis.md §3.2, §3.5); the defaults stay well under
   * what tenants report, and throttle answers back off on top of them.
   */
  rateLimits: z
    .object({ perSecond: z.number().int().positive(), perMinute: z.number().int().positive() })
    .default({ perSecond: 5, perMinute: 240 }),
  throttleBackoff: z
    .object({ perMinuteMs: z.number().int().nonnegative(), concurrencyMs: z.number().int().nonnegative() })
    .default({ perMinuteMs: 60_000, concurrencyMs: 2_000 })
    .describe(
      'Wait after "超过每分钟最大调用频率限制" (per-minute quota) and "超过每分钟最大并发次数限制" (concurrency).',
    ),
  requestTimeoutMs: z.number().int().positive().default(30_000),
};

/** 旺店通 企业版 (openapi2): sid + appkey + appsecret. */
export const wdtQybAccountSchema = z.object({
  ...common,
  edition: z.literal('qyb'),
  baseUrl: z
    .url()
    .default('https://api.wangdian.cn/openapi2')
    .describe('https://api.wangdian.cn/openapi2 (sandbox https://sandbox.wangdian.cn/openapi2).'),
  appKey: z.string().min(1),
  appSecret: SECRET_REF,
});

/** 旺店通 旗舰版 (v3 openapi): sid + key + appsecret given as `secret:salt`. */
export const wdtQjbAccountSchema = z.object({
  ...common,
  edition: z.literal('qjb'),
  baseUrl: z
    .url()
    .default('http://wdt.wangdian.cn/openapi')
    .describe('http://wdt.wangdian.cn/openapi (some tenants: https://api.wangdian.cn/openapi).'),
  appKey: z.string().min(1),
  /** A reference to the vendor's `secret:salt` string. */
  appSecret: SECRET_REF,
});

export const wdtAccountSchema = z.discriminatedUnion('edition', [wdtQybAccountSchema, wdtQjbAccountSchema]);

export type WdtAccountConfig = z.output<typeof wdtAccountSchema>;
export type WdtEdition = WdtAccountConfig['edition'];

export type WdtCredentials =
  | { edition: 'qyb'; sid: string; appKey: string; appSecret: string }
  | { edition: 'qjb'; sid: string; appKey: string; secret: string; salt: string };

/** Secrets of one account, resolved at start; never logged. Errors name the setting, never the value. */
export function resolveWdtCredentials(account: WdtAccountConfig, index: number): WdtCredentials {
  const field = `accounts.${index}.appSecret`;
  const appSecret = resolveSecret(account.appSecret, field);
  if (account.edition === 'qyb') return { edition: 'qyb', sid: account.sid, appKey: account.appKey, appSecret };
  try {
    return { edition: 'qjb', sid: account.sid, appKey: account.appKey, ...splitQjbAppSecret(appSecret) };
  } catch {
    throw new ValidationError(
      `${field}: 旗舰版 appsecret must be the vendor's "secret:salt" string (${account.appSecret} has no ":")`,
      field,
    );
  }
}
