import { sleep } from '@yecai/common';

/**
 * Calls-per-second and in-flight limits of one Kingdee connection.
 * The rate is a sliding window (a log of start times), not a fixed window: fixed windows let twice the
 * rate through around a window edge, which is exactly when a server counting over the last second
 * answers MsgCode 14.
 */
export class ConnectionLimiter {
  private readonly callsPerWindow: number;
  private readonly windowMs: number;
  private readonly starts: number[] = [];
  private turn: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    callsPerSecond: number,
    private readonly maxConcurrent: number,
    private readonly now: () => number = Date.now,
  ) {
    // e.g. 10/s → 10 calls per 1000 ms; 0.5/s → 1 call per 2000 ms; 2.5/s → 2 calls per 800 ms.
    this.callsPerWindow = Math.max(1, Math.floor(callsPerSecond));
    this.windowMs = Math.ceil((1000 * this.callsPerWindow) / callsPerSecond);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquireRate();
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

  /** Waits (in arrival order) until a call may start without exceeding the rate in any window. */
  private acquireRate(): Promise<void> {
    const mine = this.turn.then(async () => {
      for (;;) {
        const now = this.now();
        while (this.starts.length > 0 && now - this.starts[0]! >= this.windowMs) this.starts.shift();
        if (this.starts.length < this.callsPerWindow) {
          this.starts.push(now);
          return;
        }
        await sleep(this.starts[0]! + this.windowMs - now);
      }
    });
    this.turn = mine;
    return mine;
  }
}
