import { sleep } from './retry';

export interface RateWindow {
  /** Calls allowed within any `windowMs` span. */
  limit: number;
  windowMs: number;
}

/**
 * The project's one call-rate limiter: a sliding log of start times checked against every window (e.g. 5/s and
 * 100/min for JST, n/s for a Kingdee connection), granted in arrival order.
 *
 * Sliding, not fixed windows: a fixed-window limiter (rate-limiter-flexible's memory limiter, which both the
 * Kingdee client and the connector kit used first) lets twice the budget through around a window edge, and servers
 * counting the last second answered it with throttling (Kingdee MsgCode 14, JST 199). `marginMs` absorbs jitter
 * between our clock and the server's arrival times.
 */
export class SlidingWindowRateLimiter {
  private readonly starts: number[] = [];
  private readonly longestWindowMs: number;
  private blockedUntil = 0;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly windows: RateWindow[],
    private readonly marginMs = 0,
    private readonly now: () => number = Date.now,
  ) {
    if (windows.length === 0) throw new Error('SlidingWindowRateLimiter needs at least one window');
    for (const window of windows) {
      if (!(window.limit >= 1) || !(window.windowMs > 0)) throw new Error(`invalid rate window ${JSON.stringify(window)}`);
    }
    this.longestWindowMs = Math.max(...windows.map((window) => window.windowMs));
  }

  /** A limit of `perSecond` calls per second, fractional rates included (0.5/s → 1 call per 2 s). */
  static perSecond(perSecond: number, marginMs = 0): SlidingWindowRateLimiter {
    const limit = Math.max(1, Math.floor(perSecond));
    return new SlidingWindowRateLimiter([{ limit, windowMs: Math.ceil((1000 * limit) / perSecond) }], marginMs);
  }

  /** Waits, in arrival order, until one more call fits in every window; then records it. */
  acquire(): Promise<void> {
    return this.admit(() => undefined);
  }

  /**
   * Like `acquire`, but starts `task` in the very tick its start is recorded: no other promise continuation runs
   * in between, so the calls' real start times obey the windows too (after `acquire` the caller resumes only
   * after whatever else was queued, which on a busy process let more than `limit` calls start in one window).
   * Resolves with the task's result; the next caller is admitted as soon as this task has started.
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    let started!: Promise<T>;
    return this.admit(() => {
      try {
        started = task();
      } catch (error) {
        started = Promise.reject(error as Error);
      }
    }).then(() => started);
  }

  private admit(onAdmitted: () => void): Promise<void> {
    const mine = this.turn.then(async () => {
      for (;;) {
        const now = this.now();
        if (this.blockedUntil > now) {
          await sleep(this.blockedUntil - now);
          continue;
        }
        while (this.starts.length > 0 && this.starts[0]! <= now - this.longestWindowMs - this.marginMs) this.starts.shift();
        const wait = Math.max(...this.windows.map((window) => this.waitFor(now, window)));
        if (wait <= 0) {
          this.starts.push(now);
          onAdmitted();
          return;
        }
        await sleep(wait);
      }
    });
    this.turn = mine;
    return mine;
  }

  /** The server throttled us: no call for `ms`. */
  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  /** How long until a call fits in `window`. */
  private waitFor(now: number, window: RateWindow): number {
    if (this.starts.length < window.limit) return 0;
    const oldestInWindow = this.starts[this.starts.length - window.limit]!;
    return oldestInWindow + window.windowMs + this.marginMs - now;
  }
}
