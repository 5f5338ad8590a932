import { parseWith, resolveSecret } from '@yecai/common';
import { z } from 'zod';

const secretReference = z
  .string()
  .regex(/^(env|file):.+/, 'secrets are references: env:NAME or file:/path (never inline)');

/**
 * One YonSuite connection = one tenant + one self-built app (自建应用). The gateway and token hosts come from the
 * data-centre lookup (yonyou-api.md §3.1) unless `gatewayUrl`/`tokenUrl` pin them (a tenant whose lookup is blocked).
 */
export const YonyouConnectionConfigSchema = z.object({
  /** Name used in logs and metrics (never a secret). */
  name: z.string().min(1),
  /** 租户ID: the key of the data-centre lookup. */
  tenantId: z.string().min(1),
  appKey: z.string().min(1),
  appSecret: secretReference,
  /** The data-centre lookup host (never hard-code a data centre: tenants live on c1…c4, yonbip.diwork.com, …). */
  lookupUrl: z.url({ protocol: /^https?$/ }).default('https://apigateway.yonyoucloud.com'),
  /** Pins the business gateway (…/iuap-api-gateway) instead of the lookup. */
  gatewayUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Pins the token host (…/iuap-api-auth) instead of the lookup. */
  tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
  limits: z
    .object({
      /** Calls per minute per API path (YonSuite's free quota: 60/min; an API加速包 raises it to 120). */
      callsPerMinute: z.number().int().positive().default(60),
      /** Per-path overrides, e.g. {"/yonbip/scm/salesout/list": 120}; paths as in the API catalogue. */
      perApi: z.record(z.string().startsWith('/yonbip/'), z.number().int().positive()).default({}),
      /** Pause of one API after a 3100xx throttling answer. */
      throttledPauseMs: z.number().int().nonnegative().default(5_000),
    })
    .prefault({}),
  /** Refresh the 2-hour token once this share of its life has passed. */
  tokenRefreshRatio: z.number().gt(0).max(1).default(0.9),
  /** Per-request timeout (YonSuite APIs time out server-side at ~30 s, 310504). */
  timeoutMs: z.number().int().positive().default(45_000),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).default(4),
      initialDelayMs: z.number().int().nonnegative().default(500),
      maxDelayMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /** Wait before asking again about an MDD save answered `202` (still processing; the docs say ~5 s). */
  inProgressDelayMs: z.number().int().nonnegative().default(5_000),
});

export type YonyouConnectionConfig = z.input<typeof YonyouConnectionConfigSchema>;
/** Connection settings with the secret resolved; the client keeps it ES-private and never logs it. */
export type ResolvedYonyouConnection = Omit<z.output<typeof YonyouConnectionConfigSchema>, 'appSecret'> & {
  appSecret: string;
};

export function resolveYonyouConnection(input: unknown, source = 'yonyou connection'): ResolvedYonyouConnection {
  const parsed = parseWith(YonyouConnectionConfigSchema, input, source);
  return { ...parsed, appSecret: resolveSecret(parsed.appSecret, `${source}.appSecret`) };
}
