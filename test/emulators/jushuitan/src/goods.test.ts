import { JST_GOODS_PATHS } from './goods';
import { startJushuitanEmulator, type JstEmulator } from './server';
import { NOW, call } from './test-client';

/** 商品上传 (upsert by sku_id) and the query by sku_ids, through HTTP with JST's signing, and their faults. */
describe('JST emulator goods: itemsku/upload and sku/query', () => {
  let emulator: JstEmulator;
  beforeEach(async () => {
    emulator = await startJushuitanEmulator({ port: 0, now: () => NOW, rateLimits: { perSecond: 1000, perMinute: 100_000 } });
  });
  afterEach(() => emulator.close());

  const upload = (items: unknown[]) => call(emulator, JST_GOODS_PATHS.upload, { items });
  const query = (skuIds: string) => call(emulator, JST_GOODS_PATHS.query, { sku_ids: skuIds });
  const tee = { sku_id: 'M-TEE-RED-M', i_id: 'M-TEE-RED-M', name: '纯棉T恤', properties_value: '红色;M', sku_code: '6901234567892', unit: 'Pcs' };

  it('creates goods, then an upload of the same sku_id updates them: one goods row, found by sku_ids', async () => {
    const first = await upload([tee]);
    expect(first).toMatchObject({ code: 0, data: { datas: [{ sku_id: 'M-TEE-RED-M', is_success: true }] } });
    const second = await upload([{ ...tee, name: '纯棉T恤（新）', enabled: -1 }]);
    expect(second.code).toBe(0);
    expect(emulator.goods.count()).toBe(1);
    expect(emulator.goods.writes.map((write) => write.kind)).toEqual(['created', 'updated']);
    const found = await query('M-TEE-RED-M,NOT-THERE');
    expect(found.code).toBe(0);
    expect(found.data!.datas).toEqual([
      expect.objectContaining({ sku_id: 'M-TEE-RED-M', i_id: 'M-TEE-RED-M', name: '纯棉T恤（新）', properties_value: '红色;M', sku_code: '6901234567892', unit: 'Pcs', enabled: -1 }),
    ]);
  });

  it('answers each item on its own: a refused item names its field and changes nothing, the others land', async () => {
    const answer = await upload([{ sku_id: 'A1', i_id: 'A1' }, { sku_id: 'A2', i_id: 'A2', name: 'x', s_price: 'abc' }, { sku_id: 'A3', i_id: 'A3', name: 'ok' }, { name: 'no sku' }]);
    expect(answer.code).toBe(0);
    const datas = (answer.data as unknown as { datas: Array<{ sku_id: string; is_success: boolean; msg: string }> }).datas;
    expect(datas.map((row) => [row.sku_id, row.is_success])).toEqual([['A1', false], ['A2', false], ['A3', true], ['', false]]);
    expect(datas[0]!.msg).toContain('名称(name)');
    expect(datas[1]!.msg).toContain('s_price');
    expect(datas[3]!.msg).toContain('sku_id');
    expect(emulator.goods.list().map((row) => row.sku_id)).toEqual(['A3']);
  });

  it('refuses an empty upload and a query without a condition or with too many sku ids', async () => {
    expect((await upload([])).msg).toBe('items不能为空');
    expect((await call(emulator, JST_GOODS_PATHS.query, {})).code).not.toBe(0);
    const many = Array.from({ length: 21 }, (_, index) => `S${index}`).join(',');
    expect((await query(many)).msg).toContain('sku_ids最多20个');
  });

  it('a lost answer: the upload is applied though the caller gets no answer', async () => {
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(upload([tee])).rejects.toThrow();
    expect(emulator.goods.get('M-TEE-RED-M')?.name).toBe('纯棉T恤');
    expect(emulator.stats.lost_answer).toBe(1);
  });

  it('5xx and down: nothing is written', async () => {
    emulator.setFaults({ serverErrorBurst: 1 });
    await expect(upload([tee])).rejects.toThrow(); // HTTP 502, not a JSON envelope
    expect(emulator.stats['5xx']).toBe(1);
    emulator.setFaults({ down: true });
    await expect(upload([tee])).rejects.toThrow();
    expect(emulator.goods.count()).toBe(0);
    emulator.setFaults({ down: false });
    expect((await upload([tee])).code).toBe(0);
  });

  it('checks the signature on writes like on queries', async () => {
    const answer = await call(emulator, JST_GOODS_PATHS.upload, { items: [tee] }, {}, 'wrong-secret');
    expect(answer.code).toBe(10);
    expect(emulator.goods.count()).toBe(0);
  });
});
