/** One 赛狐 account; the service-level settings and config loading are the kit's (defineSource). */
import { z } from 'zod';
import { resolveSecret } from '@yecai/common';
import { secretReference } from '@yecai/connector-kit';

export const saihuAccountSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .describe('Account name in document keys, checkpoint keys and metric labels'),
  baseUrl: z
    .url()
    .default('https://openapi.sellfox.com')
    .describe('Open-API host (business calls need a whitelisted IP)'),
  clientId: z.string().min(1).describe('client_id of the open-API app (not a secret: sent with every call)'),
  clientSecret: secretReference().describe('client_secret: env:NAME or file:/path (signs calls, fetches tokens)'),
  signedUrlPrefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9_-]+)*$/, 'a path prefix such as /openapi, or empty')
    .default('')
    .describe(
      'Prefix of the `url` that is signed: empty signs the request path /api/… (as the working SDK); /openapi signs /openapi/api/… (as the doc example)',
    ),
  startAt: z.string().describe('Where a document stream without a checkpoint starts, Beijing time yyyy-MM-dd HH:mm:ss'),
  masterDataStartAt: z
    .string()
    .default('2015-01-01 00:00:00')
    .describe('Where shops, warehouses and products start (last edited long before the documents)'),
  streams: z.array(z.string()).optional().describe('Streams to run; default all'),
  settlementCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO currency code such as USD')
    .default('USD')
    .describe(
      "Currency the settlement detail is requested in (its `currency`; 赛狐's default is CNY): the marketplace currency of this account's shops",
    ),
  settlementShopIds: z
    .array(z.string().regex(/^\d+$/))
    .optional()
    .describe('Shops whose settlement detail this account reads (shopIdList), one currency per account; default all'),
  rateLimits: z
    .object({
      perSecond: z.number().int().positive(),
      perMinute: z.number().int().positive(),
      perEndpoint: z.boolean().default(true),
    })
    .default({ perSecond: 1, perMinute: 60, perEndpoint: true })
    .describe('Client-side call budget: 赛狐 allows 1 request/s per endpoint and answers 40019 above it'),
  throttleBackoffMs: z.number().int().nonnegative().default(1100).describe('Wait after 40019 (the SDKs wait 1.1 s)'),
  requestTimeoutMs: z.number().int().positive().default(30_000),
});

export type SaihuAccountConfig = z.output<typeof saihuAccountSchema>;

/** The client secret of one account, resolved at start; never logged. Errors name the setting, never the value. */
export function resolveSaihuSecret(account: SaihuAccountConfig, index: number): string {
  return resolveSecret(account.clientSecret, `accounts.${index}.clientSecret`);
}
