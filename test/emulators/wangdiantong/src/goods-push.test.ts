import { startWangdiantongEmulator, type WdtEmulator } from './server';
import { qybCall } from './test-call';
import { defaultWorld } from './world';

const call = qybCall;

const push = (emulator: WdtEmulator, goods: unknown[]) => call(emulator, 'goods_push.php', { goods_list: JSON.stringify(goods) });
const query = async (emulator: WdtEmulator, by: Record<string, string>) =>
  (await call(emulator, 'goods_query.php', { ...by, page_no: '0', page_size: '10' })).goods_list as Array<Record<string, unknown>>;

const goods = (name = '测试货品') => ({
  goods_no: 'KD-M1',
  goods_name: name,
  unit_name: 'Pcs',
  remark: '金蝶物料 KD-M1',
  spec_list: [{ spec_no: 'KD-M1', spec_name: '红色;M', barcode: '6901234567892', retail_price: '12.50' }],
});

describe('WDT emulator: 企业版 goods_push.php (货品档案 upsert by goods_no, specs by spec_no)', () => {
  let emulator: WdtEmulator;
  beforeEach(async () => {
    emulator = await startWangdiantongEmulator({ world: defaultWorld() });
  });
  afterEach(() => emulator.close());

  it('creates goods with their specs, read back by goods_query.php by goods_no and by spec_no', async () => {
    const answer = await push(emulator, [goods()]);
    expect(answer).toEqual({ code: 0, message: 'ok', new_count: 1, chg_count: 0 });
    const [row] = await query(emulator, { spec_no: 'KD-M1' });
    expect(row).toMatchObject({ goods_no: 'KD-M1', goods_name: '测试货品', unit_name: 'Pcs', remark: '金蝶物料 KD-M1', spec_count: '1' }); // 企业版 renders numbers as text
    expect((row!.spec_list as unknown[])[0]).toMatchObject({ spec_no: 'KD-M1', spec_name: '红色;M', barcode: '6901234567892', retail_price: '12.5000' });
    expect(await query(emulator, { goods_no: 'KD-M1' })).toHaveLength(1);
  });

  it('a second push of the same goods_no updates the one row (idempotent by key) and keeps specs it does not name', async () => {
    await push(emulator, [goods()]);
    const again = await push(emulator, [goods()]);
    expect(again).toMatchObject({ code: 0, new_count: 0, chg_count: 1 });
    const renamed = await push(emulator, [{ ...goods('改名货品'), spec_list: [{ spec_no: 'KD-M1-2', spec_name: '黑色;L' }] }]);
    expect(renamed.code).toBe(0);
    const rows = await query(emulator, { goods_no: 'KD-M1' });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.goods_name).toBe('改名货品');
    expect((rows[0]!.spec_list as Array<{ spec_no: string }>).map((spec) => spec.spec_no)).toEqual(['KD-M1', 'KD-M1-2']);
    expect(emulator.store.listGoods().filter((row) => row.goods_no === 'KD-M1')).toHaveLength(1);
    expect(emulator.store.goodsWrites.map((write) => write.kind)).toEqual(['created', 'updated', 'updated']);
  });

  it('refuses bad input naming the field and writes nothing (the whole call)', async () => {
    const cases: Array<[unknown[], string]> = [
      [[{ ...goods(), goods_no: '' }], '货品编号(goods_no)不能为空'],
      [[{ ...goods(), goods_name: '' }], '货品名称(goods_name)不能为空'],
      [[{ ...goods(), spec_list: [] }], '规格列表(spec_list)不能为空'],
      [[{ ...goods(), spec_list: [{ spec_no: '' }] }], '商家编码(spec_no)不能为空'],
      [[{ ...goods(), spec_list: [{ spec_no: 'KD-M1', retail_price: 'abc' }] }], '零售价(retail_price)格式错误'],
      // A 商家编码 of the seeded world on another goods: WDT keeps spec_no unique.
      [[goods(), { ...goods(), goods_no: 'KD-M2', spec_list: [{ spec_no: 'G100101S' }] }], '商家编码 G100101S 已属于货品 G1001'],
    ];
    for (const [list, text] of cases) {
      const answer = await push(emulator, list);
      expect({ code: answer.code, message: answer.message }).toEqual({ code: 100, message: expect.stringContaining(text) });
    }
    expect((await call(emulator, 'goods_push.php', {})).message).toBe('缺少参数goods_list');
    expect(emulator.store.goodsWrites).toEqual([]);
  });

  it('same signing and faults as the other 企业版 endpoints: a bad sign is refused; a lost answer lands; down answers 503', async () => {
    const badSign = await call(emulator, 'goods_push.php', { goods_list: JSON.stringify([goods()]) }, 'wrong-secret');
    expect(badSign.code).not.toBe(0);
    expect(badSign.message).toContain('签名');
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(push(emulator, [goods()])).rejects.toThrow();
    expect(await query(emulator, { goods_no: 'KD-M1' })).toHaveLength(1);
    emulator.setFaults({ down: true });
    expect((await fetch(`${emulator.url}/openapi2/goods_push.php`, { method: 'POST', body: '' })).status).toBe(503);
  });
});
