import { SlidingWindowRateLimiter } from '@yecai/common';

export interface RateLimits {
  perSecond: number;
  perMinute: number;
  /** The budget holds per endpoint rather than per account (赛狐: 1 request/s per endpoint). */
  perEndpoint?: boolean | undefined;
}

/**
 * Client-side call budget per account (JST: 5/s and 100/min per app). Every API call waits here first; a
 * throttle answer from the source blocks the budget for the time the source asked for (`block`).
 * The 250 ms margin absorbs network jitter between our clock and the server's arrival (transport.test.ts).
 */
export class CallRateLimiter extends SlidingWindowRateLimiter {
  constructor(limits: RateLimits, marginMs = 250) {
    super(
      [
        { limit: limits.perSecond, windowMs: 1000 },
        { limit: limits.perMinute, windowMs: 60_000 },
      ],
      marginMs,
    );
  }
}
