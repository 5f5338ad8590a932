/** One 金蝶 account (账套 + integration user); the service-level settings and config loading are the kit's (defineSource). */
import { z } from 'zod';
import {
  KingdeeConnectionConfigSchema,
  resolveKingdeeConnection,
  type ResolvedKingdeeConnection,
} from '@yecai/kingdee';

export const kingdeeAccountSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .describe('Account name in document keys, checkpoint keys and metric labels'),
  connection: KingdeeConnectionConfigSchema.omit({ name: true }).describe(
    'The Kingdee connection as libs/kingdee reads it (serverUrl, acctId, userName, auth with env:/file: secrets, limits)',
  ),
  startAt: z.string().describe('Where a stream without a checkpoint starts, Beijing time yyyy-MM-dd HH:mm:ss'),
  masterDataStartAt: z
    .string()
    .default('2010-01-01 00:00:00')
    .describe('Where materials start (last edited long before the documents)'),
  streams: z.array(z.string()).optional().describe('Streams to run; default all'),
  rateLimits: z
    .object({ perSecond: z.number().int().positive(), perMinute: z.number().int().positive() })
    .default({ perSecond: 5, perMinute: 300 })
    .describe('Client-side call budget of the kit (the Kingdee client adds its own per-connection limiter)'),
  throttleBackoffMs: z.number().int().nonnegative().default(1000).describe('Wait after MsgCode 14 调用限制'),
});

export type KingdeeAccountConfig = z.output<typeof kingdeeAccountSchema>;

/**
 * The account's connection with its secrets resolved; never logged. Retries stay with the kit (one attempt per
 * call here), so a failing call is not retried twice over.
 */
export function resolveKingdeeAccountConnection(
  account: KingdeeAccountConfig,
  index: number,
): ResolvedKingdeeConnection {
  return resolveKingdeeConnection(
    { ...account.connection, name: account.name, retry: { ...account.connection.retry, maxAttempts: 1 } },
    `accounts.${index}.connection`,
  );
}
