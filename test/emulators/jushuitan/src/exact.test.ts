import { formatBeijingTime } from '@yecai/common';
import { JST_ENDPOINTS } from './endpoints';
import { startJushuitanEmulator, type JstEmulator } from './server';
import { sampleReceipt } from './samples';
import { ExactDocumentError } from './store';
import { call, NOW } from './test-client';

const DAY = 86_400_000;
const RECEIVED = JST_ENDPOINTS.aftersale_received.path;

const sample = sampleReceipt;

async function admin(emulator: JstEmulator, path: string, body: unknown): Promise<{ status: number; body: { error?: string; field?: string } }> {
  const response = await fetch(`${emulator.url}/__admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: string; field?: string } };
}

describe('Jushuitan emulator: documents inserted exactly', () => {
  let emulator: JstEmulator;

  beforeEach(async () => {
    emulator = await startJushuitanEmulator({
      seed: 3,
      now: () => NOW,
      rateLimits: { perSecond: 1000, perMinute: 100_000 },
      documents: { perType: { aftersale_received: 120 }, fromMs: NOW - 2 * DAY, toMs: NOW - DAY / 2 },
    });
  });
  afterEach(() => emulator.close());

  it('serves an inserted document from the signed query endpoint exactly as given, nothing generated added', async () => {
    const given = sample();
    expect(await admin(emulator, '/documents/aftersale_received/exact', given)).toMatchObject({ status: 200 });
    const answer = await call(emulator, RECEIVED, {
      modified_begin: '2026-11-19 16:45:00',
      modified_end: '2026-11-19 16:45:00',
      page_size: 50,
    });
    expect(answer.code).toBe(0);
    expect(answer.data!.datas).toHaveLength(1);
    expect(JSON.stringify(answer.data!.datas[0])).toBe(JSON.stringify(given));
    // Also by rowversion: start_ts finds it at its own ts.
    const byTs = await call(emulator, RECEIVED, { start_ts: 205_000_000_001, page_size: 50 });
    expect(JSON.stringify(byTs.data!.datas[0])).toBe(JSON.stringify(given));
  });

  it('pages inserted documents among generated ones by modified: each exactly once over the pages', async () => {
    const inserted = Array.from({ length: 60 }, (_, i) =>
      sample({ io_id: 7_400_000 + i, modified: formatBeijingTime(NOW - DAY + (i % 7) * 60_000), ts: undefined }),
    ).map(({ ts: _ts, ...document }) => document);
    expect((await admin(emulator, '/documents/aftersale_received/exact', inserted)).status).toBe(200);
    const window = { modified_begin: formatBeijingTime(NOW - 3 * DAY), modified_end: formatBeijingTime(NOW) };
    const seen: Array<Record<string, unknown>> = [];
    for (let page = 1; ; page++) {
      const answer = await call(emulator, RECEIVED, { ...window, page_index: page, page_size: 50 });
      seen.push(...answer.data!.datas);
      if (!answer.data!.has_next) break;
    }
    expect(seen).toHaveLength(180);
    expect(new Set(seen.map((document) => document.io_id)).size).toBe(180);
    const served = new Map(seen.map((document) => [document.io_id, JSON.stringify(document)]));
    for (const document of inserted) expect(served.get(document.io_id)).toBe(JSON.stringify(document));
    // No ts was given, so none is served, although the endpoint has ts on generated documents.
    expect(seen.find((document) => document.io_id === 7_400_000)).not.toHaveProperty('ts');
    const modifiedOrder = seen.map((document) => document.modified as string);
    expect([...modifiedOrder].sort()).toEqual(modifiedOrder);
  });

  it('refuses a document without a required field, naming it, and inserts nothing of the batch', async () => {
    const { io_date: _dropped, ...withoutDate } = sample({ io_id: 7300124 });
    const refused = await admin(emulator, '/documents/aftersale_received/exact', [sample(), withoutDate]);
    expect(refused).toMatchObject({ status: 400, body: { field: 'io_date' } });
    expect(refused.body.error).toContain('aftersale_received.io_date');
    expect(emulator.store.count('aftersale_received')).toBe(120);

    expect(() => emulator.store.insertExact('aftersale_received', sample({ modified: '19/11/2026' }))).toThrow(
      /aftersale_received\.modified: .*yyyy-MM-dd HH:mm:ss/,
    );
    expect(() => emulator.store.insertExact('aftersale_received', sample({ items: 'none' }))).toThrow(ExactDocumentError);
    emulator.store.insertExact('aftersale_received', sample());
    expect(() => emulator.store.insertExact('aftersale_received', sample())).toThrow(/io_id: 7300123 已存在/);
  });

  it('moves an inserted document to a later window when it is modified, keeping the fields it was given', async () => {
    emulator.store.insertExact('aftersale_received', sample());
    const later = NOW - 3600_000;
    const response = await admin(emulator, '/documents/aftersale_received/7300123', {
      modified: formatBeijingTime(later),
      remark: '复核后改备注',
    });
    expect(response.status).toBe(200);
    const answer = await call(emulator, RECEIVED, {
      modified_begin: formatBeijingTime(later),
      modified_end: formatBeijingTime(later),
    });
    const served = answer.data!.datas[0]!;
    expect(served).toMatchObject({ io_id: 7300123, shop_name: '样例旗舰店', remark: '复核后改备注' });
    expect(served.modified).toBe(formatBeijingTime(later));
    expect(served.ts as number).toBeGreaterThan(205_000_000_001);
  });
});
