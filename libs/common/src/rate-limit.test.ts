import { SlidingWindowRateLimiter } from './rate-limit';
import { sleep } from './retry';

describe('SlidingWindowRateLimiter', () => {
  it('never lets more than the limit start within any sliding window, even across a window edge', async () => {
    const limiter = new SlidingWindowRateLimiter([{ limit: 3, windowMs: 300 }]);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 9 }, () => limiter.acquire().then(() => starts.push(Date.now()))));
    for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(299);
  });

  it('run starts each task in the tick its start is recorded, ahead of work queued meanwhile', async () => {
    const limiter = new SlidingWindowRateLimiter([{ limit: 2, windowMs: 200 }]);
    const events: string[] = [];
    const runs = [1, 2, 3].map((n) =>
      limiter.run(async () => {
        events.push(`start ${n}`);
        return n;
      }),
    );
    // Work queued while the third call waits for the window must not get between its admission and its start.
    await sleep(100);
    void Promise.resolve().then(() => events.push('other work'));
    expect(await Promise.all(runs)).toEqual([1, 2, 3]);
    expect(events).toEqual(['start 1', 'start 2', 'other work', 'start 3']);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => { throw new Error('sync boom'); })).rejects.toThrow('sync boom');
    await expect(limiter.run(async () => 'after failures')).resolves.toBe('after failures');
  });

  it('honours every window at once (per second and per minute style)', async () => {
    const limiter = new SlidingWindowRateLimiter([
      { limit: 100, windowMs: 100 },
      { limit: 4, windowMs: 400 },
    ]);
    const started = Date.now();
    for (let i = 0; i < 8; i++) await limiter.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(399);
  });

  it('grants in arrival order and waits out a block the server asked for', async () => {
    const limiter = new SlidingWindowRateLimiter([{ limit: 100, windowMs: 1000 }]);
    limiter.block(200);
    const started = Date.now();
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('supports fractional rates', async () => {
    const limiter = SlidingWindowRateLimiter.perSecond(4); // 4 per 1000 ms
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      starts.push(Date.now());
    }
    expect(starts[4]! - starts[0]!).toBeGreaterThanOrEqual(999);
    expect(() => new SlidingWindowRateLimiter([])).toThrow(/at least one window/);
  });
});
