import { startWangdiantongEmulator, type WdtEmulator } from './server';
import { qybCall } from './test-call';
import { defaultWorld } from './world';

/** 企业版 其他入库 `stockin_order_push.php` and 其他出库 `stockout_order_push.php`: the purchase pushes' rules, no provider. */
const world = defaultWorld();
const SPEC = world.goods[0]!.specs[0]!.spec_no;
const SPEC2 = world.goods[1]!.specs[0]!.spec_no;

const KINDS = [
  { name: '其他入库', script: 'stockin_order_push.php', param: 'stockin_info', details: 'goods_list', quantity: 'stockin_num', query: 'stockin_order_query.php', listKey: 'stockin_list', answerKey: 'stockin_no', noLabel: '入库单号', type: 'other_in', status: '80', sign: 1, lineQty: 'num' },
  { name: '其他出库', script: 'stockout_order_push.php', param: 'stockout_info', details: 'detail_list', quantity: 'num', query: 'stockout_order_query.php', listKey: 'stockout_list', answerKey: 'stockout_no', noLabel: '出库单号', type: 'other_out', status: '110', sign: -1, lineQty: 'goods_count' },
] as const;

describe.each(KINDS)('WDT emulator: 企业版 $script ($name push)', (kind) => {
  let emulator: WdtEmulator;
  beforeEach(async () => {
    emulator = await startWangdiantongEmulator({ world });
  });
  afterEach(() => emulator.close());

  const push = (outerNo: string, details: Array<Record<string, unknown>> = [{ spec_no: SPEC, [kind.quantity]: '2', price: '12.5' }, { spec_no: SPEC2, [kind.quantity]: '0.5', batch_no: 'L7' }], extra: Record<string, unknown> = {}) =>
    qybCall(emulator, kind.script, { [kind.param]: JSON.stringify({ outer_no: outerNo, warehouse_no: 'HZ01', remark: `金蝶${kind.name} ${outerNo}`, [kind.details]: details, ...extra }) });
  const stock = (quantity: string) => (kind.sign > 0 ? quantity : `-${quantity}`);

  it('creates one finished document, moves stock by ± the quantities, and reads it back by outer_no on the generic query', async () => {
    const answer = await push('QT001');
    expect(answer.code).toBe(0);
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe(stock('2.0000'));
    expect(emulator.store.stockOf('HZ01', SPEC2)).toBe(stock('0.5000'));
    const found = await qybCall(emulator, kind.query, { outer_no: 'QT001' });
    const list = found[kind.listKey] as Array<Record<string, unknown>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ order_no: answer[kind.answerKey], outer_no: 'QT001', status: kind.status, warehouse_no: 'HZ01', remark: `金蝶${kind.name} QT001` });
    expect((list[0]!.details_list as Array<Record<string, unknown>>).map((line) => [line.spec_no, line[kind.lineQty], line.batch_no])).toEqual([
      [SPEC, '2.0000', ''],
      [SPEC2, '0.5000', 'L7'],
    ]);
    expect((await qybCall(emulator, kind.query, { outer_no: 'QT-NONE' }))[kind.listKey]).toEqual([]);
  });

  it('a repeated outer_no is refused naming the first document; stock does not move again', async () => {
    const first = await push('QT-DUP');
    const second = await push('QT-DUP');
    expect(second.code).toBe(100);
    expect(second.message).toBe(`外部单号 QT-DUP 已存在, ${kind.noLabel} ${String(first[kind.answerKey])}`);
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe(stock('2.0000'));
    expect(emulator.store.versions(kind.type).filter((ref) => ref.outerNo === 'QT-DUP')).toHaveLength(1);
  });

  it('names the bad field — missing parameter, unknown warehouse, unknown 商家编码, quantity ≤ 0 — and writes nothing', async () => {
    const before = emulator.store.count(kind.type);
    expect((await qybCall(emulator, kind.script, {})).message).toBe(`缺少参数${kind.param}`);
    expect((await push('A', undefined, { warehouse_no: 'NOPE' })).message).toBe('仓库编号为 NOPE 的仓库不存在或无权限');
    expect((await push('B', [{ spec_no: 'NO-SPEC', [kind.quantity]: '1' }])).message).toBe('商家编码 NO-SPEC 不存在');
    expect((await push('C', [{ spec_no: SPEC, [kind.quantity]: '0' }])).message).toContain(`商家编码 ${SPEC} 的`);
    expect((await push('D', [{ spec_no: SPEC, [kind.quantity]: '-1' }])).message).toContain('必须大于0');
    expect((await push('E', [])).message).toBe(`缺少参数${kind.details}`);
    expect(emulator.store.count(kind.type)).toBe(before);
    expect(emulator.store.listStock()).toEqual([]);
  });

  it('lostAnswerNext: the document lands but the caller gets no answer; the retry is told it exists', async () => {
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(push('QT-LOST')).rejects.toThrow();
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe(stock('2.0000'));
    expect((await push('QT-LOST')).message).toContain('外部单号 QT-LOST 已存在');
  });
});
