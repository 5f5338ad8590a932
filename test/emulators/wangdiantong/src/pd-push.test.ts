import { Decimal } from '@yecai/common';
import { startWangdiantongEmulator, type WdtEmulator } from './server';
import { qybCall } from './test-call';
import { defaultWorld } from './world';

/** 企业版 创建盘点单 `stock_sync_by_pd.php`: the stock becomes the counted quantity, once per outer number. */
const world = defaultWorld();
const SPEC = world.goods[0]!.specs[0]!.spec_no;
const SPEC2 = world.goods[1]!.specs[0]!.spec_no;

describe('WDT emulator: 企业版 stock_sync_by_pd.php (盘点单 push)', () => {
  let emulator: WdtEmulator;
  beforeEach(async () => {
    emulator = await startWangdiantongEmulator({ world });
  });
  afterEach(() => emulator.close());

  const push = (outerNo: string, goods: Array<Record<string, unknown>> = [{ spec_no: SPEC, stock_num: '12.5' }, { spec_no: SPEC2, stock_num: '0', batch_no: 'L7' }], extra: Record<string, string> = {}) =>
    qybCall(emulator, 'stock_sync_by_pd.php', { warehouse_no: 'HZ01', outer_no: outerNo, is_adjust_stock: '0', remark: `金蝶盘盈 ${outerNo}`, goods_list: JSON.stringify(goods), ...extra });

  it('sets the stock to the counted quantity and leaves one finished 盘点单 (账存, 实盘, 盈亏) readable by outer_no', async () => {
    emulator.store.addStock('HZ01', SPEC, new Decimal('10'));
    emulator.store.addStock('HZ01', SPEC2, new Decimal('2'));
    const answer = await push('PY001');
    expect(answer).toMatchObject({ code: 0, pd_no: expect.stringMatching(/^PD/) });
    expect([emulator.store.stockOf('HZ01', SPEC), emulator.store.stockOf('HZ01', SPEC2)]).toEqual(['12.5000', '0.0000']);
    const found = await qybCall(emulator, 'stock_pd_order_query.php', { outer_no: 'PY001' });
    const list = found.pd_list as Array<Record<string, unknown>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ pd_no: answer.pd_no, outer_no: 'PY001', status: '30', warehouse_no: 'HZ01', remark: '金蝶盘盈 PY001' });
    expect((list[0]!.details_list as Array<Record<string, unknown>>).map((line) => [line.spec_no, line.stock_num, line.pd_num, line.diff_num, line.batch_no])).toEqual([
      [SPEC, '10.0000', '12.5000', '2.5000', ''],
      [SPEC2, '2.0000', '0.0000', '-2.0000', 'L7'],
    ]);
    expect((await qybCall(emulator, 'stock_pd_order_query.php', { outer_no: 'PY-NONE' })).pd_list).toEqual([]);
  });

  it('a repeated outer_no is refused naming the first 盘点单 and does not set the stock again (stock moved since stays moved)', async () => {
    const first = await push('PY-DUP');
    emulator.store.addStock('HZ01', SPEC, new Decimal('-1'));
    const second = await push('PY-DUP');
    expect(second).toMatchObject({ code: 100, message: `外部单号 PY-DUP 已存在, 盘点单号 ${String(first.pd_no)}` });
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('11.5000');
    expect(emulator.store.versions('stock_pd').filter((ref) => ref.outerNo === 'PY-DUP')).toHaveLength(1);
  });

  it('names the bad field — unknown warehouse or 商家编码, negative or non-numeric stock, a 商家编码 twice, missing parameters — and writes nothing', async () => {
    const before = emulator.store.count('stock_pd');
    expect((await qybCall(emulator, 'stock_sync_by_pd.php', { outer_no: 'A' })).message).toBe('缺少参数warehouse_no');
    expect((await push('', undefined)).message).toBe('缺少参数outer_no');
    expect((await push('B', undefined, { warehouse_no: 'NOPE' })).message).toBe('仓库编号为 NOPE 的仓库不存在或无权限');
    expect((await push('C', [{ spec_no: 'NO-SPEC', stock_num: '1' }])).message).toBe('商家编码 NO-SPEC 不存在');
    expect((await push('D', [{ spec_no: SPEC, stock_num: '-1' }])).message).toBe(`商家编码 ${SPEC} 的盘点数量不能小于0`);
    expect((await push('E', [{ spec_no: SPEC, stock_num: 'abc' }])).message).toBe(`商家编码 ${SPEC} 的盘点数量不合法`);
    expect((await push('F', [{ spec_no: SPEC, stock_num: '1' }, { spec_no: SPEC, stock_num: '2' }])).message).toBe(`商家编码 ${SPEC} 重复`);
    expect((await push('G', [])).message).toBe('缺少参数goods_list');
    expect((await push('H', undefined, { goods_list: '{oops' })).message).toBe('goods_list 不是合法的JSON');
    expect((await push('I', undefined, { is_adjust_stock: '2' })).message).toBe('参数is_adjust_stock不合法：2');
    expect(emulator.store.count('stock_pd')).toBe(before);
    expect(emulator.store.listStock()).toEqual([]);
  });

  it('lostAnswerNext: the 盘点单 lands but the caller gets no answer; the retry is told it exists', async () => {
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(push('PY-LOST')).rejects.toThrow();
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('12.5000');
    expect((await push('PY-LOST')).message).toContain('外部单号 PY-LOST 已存在');
  });
});
