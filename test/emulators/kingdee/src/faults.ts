import { z } from 'zod';

/** Fault injection settings; all optional, merged by the admin endpoint. */
export const FaultsSchema = z.object({
  /** Added latency per call: fixed ms or a uniform range. */
  latencyMs: z.union([z.number().nonnegative(), z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() })]).optional(),
  /** Probability (0..1) that a call fails with an HTTP 5xx before anything is processed. */
  http5xxRate: z.number().min(0).max(1).optional(),
  /** The next N calls fail with an HTTP 5xx before processing (deterministic tests). */
  http5xxNext: z.number().int().nonnegative().optional(),
  http5xxStatus: z.number().int().min(500).max(599).optional(),
  /** Probability that a write is applied and then its answer is lost (connection dropped). */
  lostAnswerRate: z.number().min(0).max(1).optional(),
  /** The next N writes are applied and their answers lost. */
  lostAnswerNext: z.number().int().nonnegative().optional(),
  /** Lost answers (rate and next N) only for these operations (lower case, e.g. ["push"]); default every write. */
  lostAnswerOps: z.array(z.string()).optional(),
  /** How long the connection hangs before being dropped (0 = reset at once); set above the client timeout for a timeout. */
  lostAnswerHangMs: z.number().int().nonnegative().optional(),
  /** The next N calls hang for lostAnswerHangMs (default 1000) and are dropped before being processed. */
  hangNext: z.number().int().nonnegative().optional(),
  /** Outage windows (ISO instants) during which every call gets HTTP 503; `down` forces one now. */
  outages: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
  down: z.boolean().optional(),
  /** Calls per second (per app/user) above which the server answers MsgCode 14 调用限制. */
  throttlePerSecond: z.number().positive().optional(),
  /** The next N authenticated calls answer MsgCode 1 (session lost). */
  sessionLostNext: z.number().int().nonnegative().optional(),
  /** The next N calls answer a plain-text `response_error:` .NET exception (e.g. a failing plug-in), unprocessed. */
  exceptionNext: z.number().int().nonnegative().optional(),
  /** The next N calls answer HTTP 200 with JSON of the wrong shape (a broken proxy or patch). */
  malformedNext: z.number().int().nonnegative().optional(),
});
export type Faults = z.infer<typeof FaultsSchema>;

export { seededRandom } from '@yecai/common';
