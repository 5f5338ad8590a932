import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';

/** Calls-per-second and in-flight limits of one Kingdee connection. */
export class ConnectionLimiter {
  private readonly rateQueue: RateLimiterQueue;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(callsPerSecond: number, private readonly maxConcurrent: number) {
    const limiter =
      callsPerSecond >= 1
        ? new RateLimiterMemory({ points: Math.floor(callsPerSecond), duration: 1 })
        : new RateLimiterMemory({ points: 1, duration: Math.ceil(1 / callsPerSecond) });
    this.rateQueue = new RateLimiterQueue(limiter, { maxQueueSize: 100_000 });
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.rateQueue.removeTokens(1);
    if (this.inFlight < this.maxConcurrent) this.inFlight++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the releaser hands its slot over
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }
}
