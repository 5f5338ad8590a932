import { SlidingWindowRateLimiter } from '@yecai/common';

/**
 * Calls-per-second and in-flight limits of one Kingdee connection. The rate is the project's sliding-window
 * limiter (a fixed window lets twice the rate through around a window edge, exactly when a server counting over
 * the last second answers MsgCode 14); the in-flight limit hands a finishing call's slot to the next in line.
 */
/**
 * Calls spaced exactly one window apart sit on the boundary of a server's "last second" (a millisecond of clock or
 * network jitter puts both inside it: the sink bench counted 21 starts in one second under 20/s). 20 ms of margin
 * costs 2 % of the rate.
 */
const ARRIVAL_MARGIN_MS = 20;

export class ConnectionLimiter {
  private readonly rate: SlidingWindowRateLimiter;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    callsPerSecond: number,
    private readonly maxConcurrent: number,
  ) {
    // e.g. 10/s → 10 calls per 1000 ms; 0.5/s → 1 call per 2000 ms; 2.5/s → 2 calls per 800 ms.
    this.rate = SlidingWindowRateLimiter.perSecond(callsPerSecond, ARRIVAL_MARGIN_MS);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // The in-flight slot first, the rate second: a call is counted by the rate limiter the moment it starts. (The
    // other order counted calls that then waited for a slot, and released them in a burst when a slow call ended:
    // more than callsPerSecond started within one second.)
    if (this.inFlight < this.maxConcurrent) this.inFlight++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the releaser hands its slot over
    try {
      return await this.rate.run(task);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }
}
