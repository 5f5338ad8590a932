/** Concurrency of the posting engine: chunks in flight (Slots) and per-document exclusion (KeyLocks). */
/**
 * At most `limit` holders at once, waiters served in arrival order. The limit backs off to one after the target
 * failed (level 3: throttled, down) and grows by one per chunk that went through, up to `size` — so a resumed
 * sink probes an overloaded target with one chunk instead of all of them at once.
 */
export class Slots {
  private used = 0;
  private limit: number;
  private readonly waiting: (() => void)[] = [];
  private readonly drained: (() => void)[] = [];

  constructor(private readonly size: number) {
    this.limit = size;
  }

  async acquire(): Promise<void> {
    if (this.used < this.limit && this.waiting.length === 0) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.used--;
    this.pump();
    if (this.used === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  succeeded(): void {
    this.limit = Math.min(this.size, this.limit + 1);
    this.pump();
  }

  failed(): void {
    this.limit = 1;
  }

  drain(): Promise<void> {
    return this.used === 0 ? Promise.resolve() : new Promise((resolve) => this.drained.push(resolve));
  }

  private pump(): void {
    while (this.used < this.limit && this.waiting.length > 0) {
      this.used++;
      this.waiting.shift()!();
    }
  }
}

/** Per-key exclusion; a holder takes all its keys at once (no hold-and-wait, so no deadlock). */
export class KeyLocks {
  private readonly held = new Map<string, Promise<void>>();

  async acquire(keys: string[]): Promise<() => void> {
    const unique = [...new Set(keys)];
    for (;;) {
      const busy = unique.map((key) => this.held.get(key)).filter((held): held is Promise<void> => held !== undefined);
      if (busy.length === 0) break;
      await Promise.race(busy);
    }
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    for (const key of unique) this.held.set(key, done);
    return () => {
      for (const key of unique) if (this.held.get(key) === done) this.held.delete(key);
      release();
    };
  }
}
