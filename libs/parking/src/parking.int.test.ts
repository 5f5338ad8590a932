import { testMongo } from '@yecai/test-harness';
import { FilteredStore, type FilteredInput } from './filtered';
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

  it('the query box (q) finds open entries by key, code or reason, ignoring case and taking the text literally', async () => {
    await store.park({ ...input('30', 'WAREHOUSE_NOT_MAPPED'), flow: 'jushuitan/q', key: 'jushuitan/main/SO-Q30' });
    await store.park({
      ...input('31'),
      flow: 'jushuitan/q',
      key: 'jushuitan/main/so-q31',
      reasonZh: '物料 M-7 缺失',
      reasonEn: 'material M-7 missing',
    });
    const found = async (q: string) =>
      (await store.list({ flow: 'jushuitan/q', status: 'OPEN', q })).map((entry) => entry.source.offset);
    expect(await found('so-q3')).toEqual(['30', '31']);
    expect(await found('warehouse_not')).toEqual(['30']);
    expect(await found('物料 M-7')).toEqual(['31']);
    expect(await found('MATERIAL m-7')).toEqual(['31']);
    expect(await found('so-q3.')).toEqual([]);
    expect(await found('so.q30')).toEqual([]);
    expect(await store.list({ flow: 'jushuitan/q', q: 'SO-Q31', skip: 0, limit: 1 })).toHaveLength(1);
  });

  it('the query box (q) finds filtered documents by key, rule or description', async () => {
    const filtered = new FilteredStore(mongo.db, 'filtered_q');
    const base = (id: string): FilteredInput => ({
      sourceSystem: 'jushuitan',
      account: 'main',
      documentType: 'sales_outstock',
      sourceId: id,
      sourceModifiedAt: Date.parse('2026-11-20T02:00:00Z'),
      contentHash: 'h',
      flow: 'jushuitan/sales_outstock',
      ruleVersion: '1+test',
      key: `jushuitan/main/${id}`,
      filter: '',
      description: '',
      scope: 'document',
      source: { topic: 'yecai.raw.jushuitan.sales_outstock', partition: 0, offset: id },
    });
    await filtered.record([
      { ...base('F-1'), filter: 'skip_samples', description: '样品单不同步 samples are not synced' },
      { ...base('F-2'), filter: 'skip_zero', description: '零金额 zero amount' },
    ]);
    const keys = async (q: string) => (await filtered.list({ q })).map((entry) => entry.key).sort();
    expect(await keys('f-')).toEqual(['jushuitan/main/F-1', 'jushuitan/main/F-2']);
    expect(await keys('SAMPLES')).toEqual(['jushuitan/main/F-1']);
    expect(await keys('零金额')).toEqual(['jushuitan/main/F-2']);
    expect(await filtered.count({ q: 'skip_' })).toBe(2);
    expect(await keys('skip.zero')).toEqual([]);
  });
});
