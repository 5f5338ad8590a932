import { startWangdiantongEmulator, type WdtEmulator } from './server';
import { qybCall, type Envelope } from './test-call';
import { defaultWorld } from './world';

const call = qybCall;

const world = defaultWorld();
const SPEC = world.goods[0]!.specs[0]!.spec_no;
const SPEC2 = world.goods[1]!.specs[0]!.spec_no;

function push(emulator: WdtEmulator, info: Record<string, unknown>): Promise<Envelope> {
  return call(emulator, 'stockin_purchase_push.php', { purchase_info: JSON.stringify(info) });
}

const goodPush = (outerNo: string) => ({
  outer_no: outerNo,
  warehouse_no: 'HZ01',
  provider_no: 'GYS001',
  details_list: [
    { spec_no: SPEC, stockin_num: '1', stockin_price: '12.5' },
    { spec_no: SPEC2, stockin_num: '2.5', stockin_price: '3' },
  ],
});

describe('WDT emulator: 企业版 stockin_purchase_push.php (采购入库 push)', () => {
  let emulator: WdtEmulator;
  beforeEach(async () => {
    emulator = await startWangdiantongEmulator({ world });
  });
  afterEach(() => emulator.close());

  it('creates one finished purchase in-stock, raises stock by the quantities, and finds it by outer_no', async () => {
    const answer = await push(emulator, goodPush('KD-CGRK001'));
    expect(answer.code).toBe(0);
    expect(String(answer.stockin_no)).toMatch(/^RK/);
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('1.0000');
    expect(emulator.store.stockOf('HZ01', SPEC2)).toBe('2.5000');
    const found = await call(emulator, 'stockin_order_query_purchase.php', { outer_no: 'KD-CGRK001' });
    expect(found.code).toBe(0);
    const list = found.stockin_list as Array<Record<string, unknown>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ order_no: answer.stockin_no, outer_no: 'KD-CGRK001', status: '80', warehouse_no: 'HZ01' });
    expect((list[0]!.details_list as unknown[]).length).toBe(2);
    const none = await call(emulator, 'stockin_order_query_purchase.php', { outer_no: 'KD-OTHER' });
    expect(none.stockin_list).toEqual([]);
  });

  it('a second push of the same outer_no is refused as a duplicate naming the first stock-in, and stock does not move', async () => {
    const first = await push(emulator, goodPush('KD-DUP'));
    const second = await push(emulator, goodPush('KD-DUP'));
    expect(second.code).not.toBe(0);
    expect(second.message).toContain('外部单号 KD-DUP 已存在');
    expect(second.message).toContain(String(first.stockin_no));
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('1.0000');
    expect(emulator.store.versions('purchase_in').filter((ref) => ref.outerNo === 'KD-DUP')).toHaveLength(1);
  });

  it('refuses an unknown warehouse, spec or provider and a non-positive quantity, writing nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...goodPush('A'), warehouse_no: 'NOPE' }, '仓库编号为 NOPE 的仓库不存在或无权限'],
      [{ ...goodPush('B'), details_list: [{ spec_no: 'NO-SPEC', stockin_num: '1' }] }, '商家编码 NO-SPEC 不存在'],
      [{ ...goodPush('C'), provider_no: 'NOBODY' }, '供应商编号 NOBODY 不存在'],
      [{ ...goodPush('D'), details_list: [{ spec_no: SPEC, stockin_num: '0' }] }, '入库数量必须大于0'],
      [{ ...goodPush('E'), outer_no: '' }, '缺少参数outer_no'],
    ];
    for (const [info, text] of cases) {
      const answer = await push(emulator, info);
      expect(answer.code).toBe(100);
      expect(answer.message).toContain(text);
    }
    expect(emulator.store.count('purchase_in')).toBe(0);
    expect(emulator.store.listStock()).toEqual([]);
  });

  it('lostAnswerNext: the push lands but the caller gets no answer; down: HTTP 503 and nothing written', async () => {
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(push(emulator, goodPush('KD-LOST'))).rejects.toThrow();
    expect(emulator.store.versions('purchase_in').filter((ref) => ref.outerNo === 'KD-LOST')).toHaveLength(1);
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('1.0000');
    emulator.setFaults({ down: true });
    const response = await fetch(`${emulator.url}/openapi2/stockin_purchase_push.php`, { method: 'POST', body: '' });
    expect(response.status).toBe(503);
    emulator.setFaults({ down: false });
    const again = await push(emulator, goodPush('KD-LOST'));
    expect(again.message).toContain('已存在');
  });
});

describe('WDT emulator: 企业版 purchase_return_push.php (采购退货 push)', () => {
  let emulator: WdtEmulator;
  beforeEach(async () => {
    emulator = await startWangdiantongEmulator({ world });
  });
  afterEach(() => emulator.close());

  const returnPush = (outerNo: string, details: Array<Record<string, unknown>> = [{ spec_no: SPEC, num: '2', price: '12.5' }, { spec_no: SPEC2, num: '0.5' }]) =>
    call(emulator, 'purchase_return_push.php', { purchase_return_info: JSON.stringify({ outer_no: outerNo, warehouse_no: 'HZ01', provider_no: 'GYS001', remark: '金蝶采购退料 ' + outerNo, details_list: details }) });

  it('creates one finished return, lowers stock by the quantities, and reads it back by outer_no on stockout_order_query_return', async () => {
    await push(emulator, goodPush('KD-IN'));
    const answer = await returnPush('KD-CGTL001');
    expect(answer.code).toBe(0);
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('-1.0000');
    expect(emulator.store.stockOf('HZ01', SPEC2)).toBe('2.0000');
    const found = await call(emulator, 'stockout_order_query_return.php', { outer_no: 'KD-CGTL001' });
    const list = found.stockout_list as Array<Record<string, unknown>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ order_no: answer.return_no, outer_no: 'KD-CGTL001', status: '110', warehouse_no: 'HZ01', provider_no: 'GYS001', remark: '金蝶采购退料 KD-CGTL001' });
    expect((list[0]!.details_list as Array<Record<string, unknown>>).map((line) => line.goods_count)).toEqual(['2.0000', '0.5000']);
    // A stock-in with the same outer number is another kind of document: no clash either way.
    expect((await push(emulator, goodPush('KD-CGTL001'))).code).toBe(0);
  });

  it('a repeated outer_no is refused as a duplicate naming the first return, and stock does not move again', async () => {
    const first = await returnPush('KD-DUP');
    const second = await returnPush('KD-DUP');
    expect(second.code).toBe(100);
    expect(second.message).toBe(`外部单号 KD-DUP 已存在, 退货单号 ${String(first.return_no)}`);
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('-2.0000');
    expect(emulator.store.versions('purchase_return').filter((ref) => ref.outerNo === 'KD-DUP')).toHaveLength(1);
  });

  it('names the bad field: missing parameter, unknown spec, zero quantity — nothing written', async () => {
    expect((await call(emulator, 'purchase_return_push.php', {})).message).toBe('缺少参数purchase_return_info');
    expect((await returnPush('A', [{ spec_no: 'NO-SPEC', num: '1' }])).message).toBe('商家编码 NO-SPEC 不存在');
    expect((await returnPush('B', [{ spec_no: SPEC, num: '0' }])).message).toBe(`商家编码 ${SPEC} 的退货数量必须大于0`);
    expect((await returnPush('C', [{ spec_no: SPEC, stockin_num: '1' }])).message).toContain('退货数量必须大于0');
    expect(emulator.store.count('purchase_return')).toBe(0);
    expect(emulator.store.listStock()).toEqual([]);
  });

  it('lostAnswerNext: the return lands but the caller gets no answer; the retry is told it exists', async () => {
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(returnPush('KD-LOST')).rejects.toThrow();
    expect(emulator.store.stockOf('HZ01', SPEC)).toBe('-2.0000');
    expect((await returnPush('KD-LOST')).message).toContain('外部单号 KD-LOST 已存在');
  });
});
