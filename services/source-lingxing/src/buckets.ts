/**
 * 领星's per-path token buckets (source-apis §4.6): each path admits a documented number of requests in flight per
 * appId (mostly 1) and answers 3001008 beyond it; the token comes back when the request completes. So the
 * connector never has more calls in flight on a path than its capacity; lanes that share a path (入库单 by type)
 * queue here in order. A 3001008 that still arrives (another client of the same appId) is the kit's
 * SourceThrottledError: this class only waits for its own calls, it never retries.
 */
export class PathBuckets {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly capacity: (path: string) => number) {}

  async run<T>(path: string, call: () => Promise<T>): Promise<T> {
    await this.acquire(path);
    try {
      return await call();
    } finally {
      this.release(path);
    }
  }

  /** Calls in flight on a path (for tests and diagnostics). */
  busy(path: string): number {
    return this.inFlight.get(path) ?? 0;
  }

  private acquire(path: string): Promise<void> {
    if (this.busy(path) < Math.max(1, this.capacity(path))) {
      this.inFlight.set(path, this.busy(path) + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(path) ?? [];
      queue.push(resolve);
      this.waiting.set(path, queue);
    });
  }

  private release(path: string): void {
    const next = this.waiting.get(path)?.shift();
    if (next)
      next(); // the token passes straight to the next waiter
    else this.inFlight.set(path, this.busy(path) - 1);
  }
}
