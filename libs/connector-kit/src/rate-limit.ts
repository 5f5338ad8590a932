import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { sleep } from '@yecai/common';

export interface RateLimits {
  perSecond: number;
  perMinute: number;
}

/**
 * Client-side call budget per account (JST: 5/s and 100/min per app). Every API call waits here first;
 * a throttle answer from the source blocks the budget for the time the source asked for.
 */
export class CallRateLimiter {
  private readonly perSecond: RateLimiterMemory;
  private readonly perMinute: RateLimiterMemory;
  private blockedUntil = 0;

  constructor(limits: RateLimits, private readonly key = 'account') {
    this.perSecond = new RateLimiterMemory({ points: limits.perSecond, duration: 1 });
    this.perMinute = new RateLimiterMemory({ points: limits.perMinute, duration: 60 });
  }

  async acquire(): Promise<void> {
    for (;;) {
      const wait = this.blockedUntil - Date.now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      try {
        await this.perSecond.consume(this.key);
      } catch (rejection) {
        await sleep(msBeforeNext(rejection));
        continue;
      }
      try {
        await this.perMinute.consume(this.key);
        return;
      } catch (rejection) {
        await sleep(msBeforeNext(rejection));
      }
    }
  }

  /** The source throttled us: no call for `ms`. */
  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + ms);
  }
}

function msBeforeNext(rejection: unknown): number {
  if (rejection instanceof RateLimiterRes) return Math.max(rejection.msBeforeNext, 5);
  throw rejection;
}
