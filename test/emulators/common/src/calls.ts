/** Counters by outcome (`ok`, `199`, `5xx`, `timeout`, …): what a test asserts about the traffic. */
export class CallStats {
  /** The same object for the emulator's lifetime (tests and `GET /__admin/state` read it). */
  readonly counts: Record<string, number> = {};

  count(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }

  reset(): void {
    for (const key of Object.keys(this.counts)) delete this.counts[key];
  }
}

/**
 * Call times per key (an app, an account, a method) for sliding-window quotas. Each emulator decides which calls
 * count (JST and WDT count accepted calls only; Kingdee counts every call).
 */
export class CallWindow {
  private readonly times = new Map<string, number[]>();

  /** `keepMs`: the longest window asked about; older calls are forgotten. */
  constructor(private readonly keepMs: number) {}

  /** Calls of `key` within the last `windowMs` (default: the kept span) before `at`. */
  countWithin(key: string, at: number, windowMs = this.keepMs): number {
    const kept = (this.times.get(key) ?? []).filter((time) => time > at - this.keepMs);
    this.times.set(key, kept);
    return windowMs === this.keepMs ? kept.length : kept.filter((time) => time > at - windowMs).length;
  }

  record(key: string, at: number): void {
    const list = this.times.get(key);
    if (list) list.push(at);
    else this.times.set(key, [at]);
  }
}
