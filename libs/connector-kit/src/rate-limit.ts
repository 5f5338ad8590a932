import { sleep } from '@yecai/common';

export interface RateLimits {
  perSecond: number;
  perMinute: number;
}

/**
 * Client-side call budget per account (JST: 5/s and 100/min per app). Every API call waits here first;
 * a throttle answer from the source blocks the budget for the time the source asked for.
 *
 * Rolling windows, not fixed ones: a fixed-window limiter (rate-limiter-flexible's memory limiter, our first
 * version) lets 2× the budget through around a window edge, and the JST emulator's rolling counter answered
 * 199 to it (transport.test.ts). `marginMs` (250 ms) absorbs network and event-loop jitter between our clock and the server's arrival.
 */
export class CallRateLimiter {
  private readonly calls: number[] = [];
  private blockedUntil = 0;

  constructor(
    private readonly limits: RateLimits,
    private readonly marginMs = 250,
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.blockedUntil > now) {
        await sleep(this.blockedUntil - now);
        continue;
      }
      while (this.calls.length > 0 && this.calls[0]! <= now - 60_000 - this.marginMs) this.calls.shift();
      const wait = Math.max(
        this.waitFor(now, this.limits.perSecond, 1000),
        this.waitFor(now, this.limits.perMinute, 60_000),
      );
      if (wait <= 0) {
        this.calls.push(now);
        return;
      }
      await sleep(wait);
    }
  }

  /** The source throttled us: no call for `ms`. */
  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + ms);
  }

  /** How long until a call fits in a rolling window of `windowMs` holding at most `limit` calls. */
  private waitFor(now: number, limit: number, windowMs: number): number {
    if (this.calls.length < limit) return 0;
    const oldestInWindow = this.calls[this.calls.length - limit]!;
    return oldestInWindow + windowMs + this.marginMs - now;
  }
}
