import { parseWith, resolveSecret } from '@yecai/common';
import { z } from 'zod';

const secretReference = z
  .string()
  .regex(/^(env|file):.+/, 'secrets are references: env:NAME or file:/path (never inline)');
const appId = z
  .string()
  .regex(/^[^_]+_[^_]{32}$/, 'AppID must look like <clientId>_<32 characters> (第三方系统登录授权 → 应用ID)');

/**
 * One Kingdee connection = one 账套 (data centre) + one integration user. Several may live in one process;
 * create one client per connection.
 */
export const KingdeeConnectionConfigSchema = z.object({
  /** Name used in logs and metrics (never a secret). */
  name: z.string().min(1),
  /** Site URL ending in /k3cloud/ (e.g. http://erp.local/k3cloud/). */
  serverUrl: z.url({ protocol: /^https?$/ }),
  /** 账套 / data-centre id (X-KDApi-AcctID). */
  acctId: z.string().min(1),
  /** Integration user (X-KDApi-UserName). */
  userName: z.string().min(1),
  /** Language: 2052 zh-CN, 1033 en, 3076 zh-TW. */
  lcid: z.number().int().default(2052),
  /** Organisation number the session works in; "0" when unused (X-KDApi-OrgNum). */
  orgNumber: z.string().default('0'),
  auth: z.discriminatedUnion('mode', [
    /** Per-request signature (official SDK ≥ 7.3); recommended. */
    z.object({ mode: z.literal('signature'), appId, appSecret: secretReference }),
    /** Session login with LoginByAppSecret, cookies replayed. */
    z.object({ mode: z.literal('appSecretLogin'), appId, appSecret: secretReference }),
    /** Session login with ValidateUser (user + password), cookies replayed. */
    z.object({ mode: z.literal('password'), password: secretReference }),
  ]),
  limits: z
    .object({
      /** Calls per second this connection may make (all operations together). */
      callsPerSecond: z.number().positive().default(10),
      /** Requests in flight at once on this connection (Kingdee sessions are serialised per user). */
      maxConcurrent: z.number().int().positive().default(4),
    })
    .prefault({}),
  /** Per-request timeout; the SDKs use 120 s because single calls can legitimately take tens of seconds. */
  timeoutMs: z.number().int().positive().default(120_000),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).default(4),
      initialDelayMs: z.number().int().nonnegative().default(500),
      maxDelayMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /** Page size of ExecuteBillQuery paging (server default cap 2000, configurable up to 10000). */
  queryPageSize: z.number().int().min(1).max(10_000).default(2000),
});

export type KingdeeConnectionConfig = z.input<typeof KingdeeConnectionConfigSchema>;
type ParsedConnection = z.output<typeof KingdeeConnectionConfigSchema>;

export type ResolvedKingdeeAuth =
  | { mode: 'signature'; appId: string; appSecret: string }
  | { mode: 'appSecretLogin'; appId: string; appSecret: string }
  | { mode: 'password'; password: string };

/** Connection settings with secrets resolved; keep it out of logs (the client never logs it). */
export type ResolvedKingdeeConnection = Omit<ParsedConnection, 'auth'> & { auth: ResolvedKingdeeAuth };

/** Validates a connection config (errors name the field) and resolves its secret references. */
export function resolveKingdeeConnection(input: unknown, source = 'kingdee connection'): ResolvedKingdeeConnection {
  const parsed = parseWith(KingdeeConnectionConfigSchema, input, source);
  const { auth } = parsed;
  const resolved: ResolvedKingdeeAuth =
    auth.mode === 'password'
      ? { mode: 'password', password: resolveSecret(auth.password, `${source}.auth.password`) }
      : { mode: auth.mode, appId: auth.appId, appSecret: resolveSecret(auth.appSecret, `${source}.auth.appSecret`) };
  return { ...parsed, auth: resolved };
}
