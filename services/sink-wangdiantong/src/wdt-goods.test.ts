import { GOODS_PUSH_ERRORS } from '@yecai/emulator-wangdiantong';
import { omsGoods } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { goodsOf, goodsProblemOf, holdsGoods } from './wdt-goods';

const refusal = (error: { code: number; message: string }) => goodsProblemOf({ ...error, body: {} });

describe('旺店通 target, goods: what a material becomes and how WDT refusals are read', () => {
  it('pushes an oms_goods event as one goods (goods_no = 款式编码) with one spec (spec_no = material number), marked as from Kingdee', () => {
    expect(goodsOf({ ...omsGoods('M-1'), barcode: '6901234567892' })).toEqual({
      goods_no: 'M-1',
      goods_name: '商品 M-1 v1',
      unit_name: 'Pcs',
      remark: '金蝶物料 M-1',
      spec_list: [{ spec_no: 'M-1', spec_name: '红色;M', barcode: '6901234567892' }],
    });
    expect(goodsOf({ ...omsGoods('M-2'), specification: null })).toEqual({ goods_no: 'M-2', goods_name: '商品 M-2 v1', unit_name: 'Pcs', remark: '金蝶物料 M-2', spec_list: [{ spec_no: 'M-2' }] });
  });

  it('refuses, naming the field, an event without a spec or goods number', () => {
    expect(() => goodsOf({ ...omsGoods('M-1'), sku: '' })).toThrow(expect.objectContaining({ field: 'sku' }));
    expect(() => goodsOf({ ...omsGoods('M-1'), styleCode: ' ' })).toThrow(expect.objectContaining({ field: 'styleCode' }));
  });

  it('holds: what WDT has equals what was sent (spec found, names and unit the same)', () => {
    const sent = goodsOf(omsGoods('M-1'));
    const row = { goods_no: 'M-1', goods_name: '商品 M-1 v1', unit_name: 'Pcs', spec_list: [{ spec_no: 'M-1', spec_name: '红色;M', barcode: '' }] };
    expect(holdsGoods(row, sent)).toBe(true);
    expect(holdsGoods({ ...row, goods_name: '别人的货品' }, sent)).toBe(false);
    expect(holdsGoods({ ...row, spec_list: [] }, sent)).toBe(false);
  });

  it("reads the emulator's refusal texts as level-1 problems naming the canonical field; anything else is level 2", () => {
    expect(refusal(GOODS_PUSH_ERRORS.goodsName('M-1'))).toMatchObject({ level: 1, field: 'name', code: 'WDT_GOODS_NAME_INVALID' });
    expect(refusal(GOODS_PUSH_ERRORS.goodsNo)).toMatchObject({ level: 1, field: 'styleCode' });
    expect(refusal(GOODS_PUSH_ERRORS.specNo('M-1'))).toMatchObject({ level: 1, field: 'sku' });
    expect(refusal(GOODS_PUSH_ERRORS.specTaken('M-1', 'G1001'))).toMatchObject({ level: 1, field: 'styleCode', code: 'WDT_SPEC_ON_OTHER_GOODS' });
    expect(refusal({ code: 100, message: '系统繁忙' })).toMatchObject({ level: 2, code: 'WDT_BUSINESS_100' });
    expect(refusal(GOODS_PUSH_ERRORS.goodsName('M-1')).message).toContain('WDT refused the goods');
  });

  it('config: the goods flow is keyed by {sku} only; another key is refused naming the field', () => {
    const base = { wangdiantong: { sid: 's', appKey: 'k', appSecret: 'env:X' }, groupId: 'g' };
    expect(parseSinkConfig({ ...base, flows: [{ documentType: 'oms_goods' }] }, 't').flows[0]).toMatchObject({ documentType: 'oms_goods', billNumberPattern: '{sku}', onModified: 'update_if_not_audited' });
    expect(() => parseSinkConfig({ ...base, flows: [{ documentType: 'oms_goods', billNumberPattern: '{billNumber}' }] }, 't')).toThrow(/billNumberPattern/);
  });
});
