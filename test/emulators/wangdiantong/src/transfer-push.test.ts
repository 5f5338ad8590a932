import { startWangdiantongEmulator, type WdtEmulator } from './server';
import { qybCall } from './test-call';
import { defaultWorld } from './world';

/** 企业版 调拨 `stock_transfer_push.php`: the stock pushes' rules with two warehouses; stock moves from one to the other. */
const world = defaultWorld();
const SPEC = world.goods[0]!.specs[0]!.spec_no;
const SPEC2 = world.goods[1]!.specs[0]!.spec_no;

describe('WDT emulator: 企业版 stock_transfer_push.php (调拨 push)', () => {
  let emulator: WdtEmulator;
  beforeEach(async () => {
    emulator = await startWangdiantongEmulator({ world });
  });
  afterEach(() => emulator.close());

  const push = (outerNo: string, skus: Array<Record<string, unknown>> = [{ spec_no: SPEC, num: '2' }, { spec_no: SPEC2, num: '0.5', batch_no: 'L7' }], extra: Record<string, unknown> = {}) =>
    qybCall(emulator, 'stock_transfer_push.php', { transfer_info: JSON.stringify({ outer_no: outerNo, from_warehouse_no: 'HZ01', to_warehouse_no: 'SH01', remark: `金蝶调拨 ${outerNo}`, skus, ...extra }) });

  it('creates one finished transfer, moves stock −qty out of the source and +qty into the destination, and reads it back by outer_no', async () => {
    const answer = await push('ZJDB001');
    expect(answer.code).toBe(0);
    expect([emulator.store.stockOf('HZ01', SPEC), emulator.store.stockOf('SH01', SPEC)]).toEqual(['-2.0000', '2.0000']);
    expect([emulator.store.stockOf('HZ01', SPEC2), emulator.store.stockOf('SH01', SPEC2)]).toEqual(['-0.5000', '0.5000']);
    const found = await qybCall(emulator, 'stock_transfer_query.php', { outer_no: 'ZJDB001' });
    const list = found.transfer_list as Array<Record<string, unknown>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ transfer_no: answer.transfer_no, outer_no: 'ZJDB001', status: '90', from_warehouse_no: 'HZ01', to_warehouse_no: 'SH01', remark: '金蝶调拨 ZJDB001' });
    expect((list[0]!.details_list as Array<Record<string, unknown>>).map((line) => [line.spec_no, line.num, line.batch_no])).toEqual([
      [SPEC, '2.0000', ''],
      [SPEC2, '0.5000', 'L7'],
    ]);
    expect((await qybCall(emulator, 'stock_transfer_query.php', { outer_no: 'ZJDB-NONE' })).transfer_list).toEqual([]);
  });

  it('a repeated outer_no is refused naming the first transfer; stock does not move again', async () => {
    const first = await push('ZJDB-DUP');
    const second = await push('ZJDB-DUP');
    expect(second).toMatchObject({ code: 100, message: `外部单号 ZJDB-DUP 已存在, 调拨单号 ${String(first.transfer_no)}` });
    expect([emulator.store.stockOf('HZ01', SPEC), emulator.store.stockOf('SH01', SPEC)]).toEqual(['-2.0000', '2.0000']);
    expect(emulator.store.versions('transfer').filter((ref) => ref.outerNo === 'ZJDB-DUP')).toHaveLength(1);
  });

  it('names the bad field — unknown 调出/调入 warehouse, from = to, unknown 商家编码, quantity ≤ 0, missing parameters — and writes nothing', async () => {
    const before = emulator.store.count('transfer');
    expect((await qybCall(emulator, 'stock_transfer_push.php', {})).message).toBe('缺少参数transfer_info');
    expect((await push('A', undefined, { from_warehouse_no: 'NOPE' })).message).toBe('调出仓库编号为 NOPE 的仓库不存在或无权限');
    expect((await push('B', undefined, { to_warehouse_no: 'NOPE2' })).message).toBe('调入仓库编号为 NOPE2 的仓库不存在或无权限');
    expect((await push('C', undefined, { to_warehouse_no: 'HZ01' })).message).toBe('调出仓库和调入仓库不能相同（HZ01）');
    expect((await push('D', undefined, { to_warehouse_no: '' })).message).toBe('缺少参数to_warehouse_no');
    expect((await push('E', [{ spec_no: 'NO-SPEC', num: '1' }])).message).toBe('商家编码 NO-SPEC 不存在');
    expect((await push('F', [{ spec_no: SPEC, num: '0' }])).message).toBe(`商家编码 ${SPEC} 的调拨数量必须大于0`);
    expect((await push('G', [{ spec_no: SPEC, num: '-1' }])).message).toContain('必须大于0');
    expect((await push('H', [])).message).toBe('缺少参数skus');
    expect(emulator.store.count('transfer')).toBe(before);
    expect(emulator.store.listStock()).toEqual([]);
  });

  it('lostAnswerNext: the transfer lands but the caller gets no answer; the retry is told it exists', async () => {
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(push('ZJDB-LOST')).rejects.toThrow();
    expect(emulator.store.stockOf('SH01', SPEC)).toBe('2.0000');
    expect((await push('ZJDB-LOST')).message).toContain('外部单号 ZJDB-LOST 已存在');
  });
});
