import express from 'express';
import {
  CallStats,
  CallWindow,
  FaultKnobs,
  happens,
  listen,
  mountAdminCore,
  pageOf,
  seededRandom,
  sendGatewayError,
  spreadModifiedTimes,
} from './index';

interface DemoFaults {
  serverErrorBurst?: number;
  serverErrorRate?: number;
  latencyMs?: number;
}

describe('emulator kit', () => {
  it('FaultKnobs: "next N" counters are used up one call at a time; merge keeps the other settings', () => {
    const faults = new FaultKnobs<DemoFaults>({ serverErrorBurst: 2, latencyMs: 5 });
    expect([faults.take('serverErrorBurst'), faults.take('serverErrorBurst'), faults.take('serverErrorBurst')]).toEqual([true, true, false]);
    expect(faults.merge({ serverErrorBurst: 1 })).toEqual({ serverErrorBurst: 1, latencyMs: 5 });
    faults.clear();
    expect(faults.current).toEqual({});
    expect(faults.take('serverErrorBurst')).toBe(false);
  });

  it('FaultKnobs.used tallies the calls each counter met, across merges and clear', () => {
    const faults = new FaultKnobs<DemoFaults>({ serverErrorBurst: 1 });
    expect(faults.used).toEqual({});
    faults.take('serverErrorBurst');
    faults.take('serverErrorBurst'); // spent: not a use
    faults.merge({ serverErrorBurst: 2 });
    faults.take('serverErrorBurst');
    faults.clear();
    expect(faults.used).toEqual({ serverErrorBurst: 2 });
  });

  it('happens draws from the seeded random only while a rate is set, so runs replay', () => {
    let draws = 0;
    const random = () => (draws++, 0.5);
    expect(happens(undefined, random)).toBe(false);
    expect(draws).toBe(0);
    expect([happens(0.6, random), happens(0.4, random)]).toEqual([true, false]);
    expect(draws).toBe(2);
  });

  it('CallWindow counts calls per key inside a sliding window', () => {
    const window = new CallWindow(60_000);
    for (const at of [0, 30_000, 59_500, 59_900]) window.record('app', at);
    window.record('other', 59_900);
    expect(window.countWithin('app', 60_000)).toBe(3); // the call at 0 is a minute old
    expect(window.countWithin('app', 60_000, 1000)).toBe(2);
    expect(window.countWithin('nobody', 60_000)).toBe(0);
  });

  it('spreadModifiedTimes: whole seconds, increasing, inside the range, with same-second ties, the same for a seed', () => {
    const range = { fromMs: Date.UTC(2026, 0, 1, 0, 0, 0, 400), toMs: Date.UTC(2026, 0, 2) };
    const times = spreadModifiedTimes(seededRandom(7), 500, range);
    expect(times).toEqual(spreadModifiedTimes(seededRandom(7), 500, range));
    expect(times).toHaveLength(500);
    expect(times.every((ms) => ms % 1000 === 0)).toBe(true);
    expect(times.every((ms, i) => i === 0 || ms >= times[i - 1]!)).toBe(true);
    expect(times[0]).toBe(Date.UTC(2026, 0, 1));
    expect(times[499]).toBeLessThanOrEqual(range.toMs);
    const ties = times.filter((ms, i) => i > 0 && ms === times[i - 1]).length;
    expect(ties).toBeGreaterThan(100); // ~30 % by default
    expect(ties).toBeLessThan(200);
    expect(new Set(spreadModifiedTimes(seededRandom(1), 20, { ...range, sameSecondRatio: 1 })).size).toBe(1);
  });

  it('pageOf pages from 0 or from 1 as the emulated API does', () => {
    const rows = [1, 2, 3, 4, 5];
    expect(pageOf(rows, 1, 2, 1)).toEqual([1, 2]);
    expect(pageOf(rows, 3, 2, 1)).toEqual([5]);
    expect(pageOf(rows, 0, 2, 0)).toEqual([1, 2]);
    expect(pageOf(rows, 3, 2, 0)).toEqual([]);
  });

  it('listen + mountAdminCore: state, merged faults, stats reset over HTTP; close cuts a hung connection', async () => {
    const app = express();
    const stats = new CallStats();
    const faults = new FaultKnobs<DemoFaults>({ latencyMs: 5 });
    mountAdminCore(app, { stats, faults, state: () => ({ documents: 3 }) });
    app.get('/api', (_req, res) => {
      stats.count('ok');
      if (faults.take('serverErrorBurst')) return sendGatewayError(res);
      res.json({ ok: true });
    });
    app.get('/hang', () => undefined);
    const server = await listen(app);
    try {
      const post = (path: string, body: unknown) =>
        fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
      expect(await post('/__admin/faults', { serverErrorBurst: 1 })).toEqual({ faults: { latencyMs: 5, serverErrorBurst: 1 } });
      const failed = await fetch(`${server.url}/api`);
      expect([failed.status, await failed.text()]).toEqual([502, '<html><body><h1>502 Bad Gateway</h1></body></html>']);
      expect((await fetch(`${server.url}/api`)).status).toBe(200);
      expect(await (await fetch(`${server.url}/__admin/state`)).json()).toEqual({
        stats: { ok: 2 },
        faults: { latencyMs: 5, serverErrorBurst: 0 },
        documents: 3,
      });
      expect(await post('/__admin/stats/reset', {})).toEqual({ stats: {} });
      const hung = fetch(`${server.url}/hang`).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await server.close();
      expect(await hung).toHaveProperty('message', 'fetch failed'); // the connection was cut, no answer
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
