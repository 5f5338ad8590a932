import { testMongo } from '@yecai/test-harness';
import { ParkingStore, type ParkInput } from './store';

describe('ParkingStore (MongoDB wire, FerretDB in tests)', () => {
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let store: ParkingStore;
  beforeAll(async () => {
    mongo = await testMongo('parking');
    store = new ParkingStore(mongo.db);
    await store.ensureIndexes();
  });
  afterAll(() => mongo.close());

  const input = (offset: string, code = 'MISSING_MASTER_DATA'): ParkInput => ({
    stage: 'mapping',
    flow: 'jushuitan/sales_outstock',
    key: `jushuitan/main/sales_outstock/${offset}`,
    level: 2,
    code,
    reasonZh: '仓库 WH-09 没有金蝶仓库映射 (warehouse WH-09 has no Kingdee warehouse mapping)',
    reasonEn: 'warehouse WH-09 has no Kingdee warehouse mapping',
    missing: [{ entity: 'warehouse', key: 'jushuitan/WH-09' }],
    raw: { sourceId: offset, payload: '{"io_id":1}' },
    source: { topic: 'yecai.raw.jushuitan.sales_outstock', partition: 1, offset },
  });

  it('parks a message once even when a crash makes it parked again (same source offset)', async () => {
    expect(await store.park(input('10'))).toBe(true);
    expect(await store.park(input('10'))).toBe(false);
    expect(await store.list({ key: 'jushuitan/main/sales_outstock/10' })).toHaveLength(1);
  });

  it('lists open entries with reason, payload and source offset; an entry leaves OPEN exactly once', async () => {
    await store.park(input('11'));
    await store.park(input('12', 'MALFORMED_PAYLOAD'));
    const open = await store.list({ stage: 'mapping', status: 'OPEN', code: 'MISSING_MASTER_DATA' });
    expect(open.map((entry) => entry.source.offset)).toEqual(['10', '11']);
    expect(open[0]).toMatchObject({
      status: 'OPEN',
      level: 2,
      raw: { payload: '{"io_id":1}' },
      reasonZh: expect.stringContaining('WH-09'),
    });

    const id = open[1]!._id;
    const racers = await Promise.all([store.transition(id, 'REPUSHED'), store.transition(id, 'SKIPPED', 'dup')]);
    expect(racers.filter(Boolean)).toHaveLength(1);
    expect((await store.get(id))!.status).toMatch(/REPUSHED|SKIPPED/);
    expect(await store.list({ stage: 'mapping', status: 'OPEN', code: 'MISSING_MASTER_DATA' })).toHaveLength(1);
    expect(await store.count({ stage: 'mapping', status: 'OPEN' })).toBe(2);
    expect(await store.transition('no-such-id', 'SKIPPED')).toBe(false);
  });

  it('pages the open entries oldest first, leaving out the ones moved out of OPEN (the console pages its queue on this)', async () => {
    const offsets = ['20', '21', '22', '23', '24', '25'];
    for (const offset of offsets) await store.park({ ...input(offset, 'PAGED'), flow: 'jushuitan/paged' });
    const ids = (await store.list({ flow: 'jushuitan/paged' })).map((entry) => entry._id);
    expect(await store.transition(ids[1]!, 'SKIPPED', 'not synced', 'ops')).toBe(true);
    expect(await store.transition(ids[3]!, 'REPUSHED')).toBe(true);
    const page = (skip: number, limit: number) => store.list({ flow: 'jushuitan/paged', status: 'OPEN', skip, limit });
    expect((await page(0, 2)).map((entry) => entry.source.offset)).toEqual(['20', '22']);
    expect((await page(2, 2)).map((entry) => entry.source.offset)).toEqual(['24', '25']);
    expect(await page(4, 2)).toEqual([]);
    expect(
      (await store.list({ flow: 'jushuitan/paged', status: 'SKIPPED' })).map((entry) => [
        entry.source.offset,
        entry.by,
      ]),
    ).toEqual([['21', 'ops']]);
  });
});
