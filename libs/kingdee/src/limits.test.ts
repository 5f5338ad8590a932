import { ConnectionLimiter } from './limits';

describe('ConnectionLimiter', () => {
  it('never starts more than the rate within any sliding second', async () => {
    const limiter = new ConnectionLimiter(4, 100);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 10 }, () => limiter.run(async () => void starts.push(Date.now()))));
    starts.sort((a, b) => a - b);
    for (let i = 4; i < starts.length; i++) expect(starts[i]! - starts[i - 4]!).toBeGreaterThanOrEqual(999);
    expect(starts[9]! - starts[0]!).toBeGreaterThanOrEqual(1999);
  });

  it('counts a call when it starts: a slow call holding the only slot does not release a burst afterwards', async () => {
    const limiter = new ConnectionLimiter(5, 1);
    const starts: number[] = [];
    const slowFirst = (index: number) => limiter.run(async () => {
      starts.push(Date.now());
      if (index === 0) await new Promise((resolve) => setTimeout(resolve, 1_100));
    });
    await Promise.all(Array.from({ length: 12 }, (_, index) => slowFirst(index)));
    starts.sort((a, b) => a - b);
    for (let i = 5; i < starts.length; i++) expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(999);
  });

  it('keeps at most maxConcurrent tasks in flight', async () => {
    const limiter = new ConnectionLimiter(1000, 2);
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        limiter.run(async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 20));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it('a failing task releases its slot', async () => {
    const limiter = new ConnectionLimiter(1000, 1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
