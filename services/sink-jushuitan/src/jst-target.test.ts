import { GOODS_ERRORS } from '@yecai/emulator-jushuitan';
import { omsGoods } from '../test/fixtures';
import { goodsItem, problemOf } from './jst-target';

describe('JST target: what a material becomes and how JST refusals are read', () => {
  it('uploads an oms_goods event as one JST item keyed by sku_id, with only the fields the material has', () => {
    expect(goodsItem({ ...omsGoods('M-1'), barcode: '6901234567892' })).toEqual({
      sku_id: 'M-1',
      i_id: 'M-1',
      name: '商品 M-1 v1',
      properties_value: '红色;M',
      sku_code: '6901234567892',
      unit: 'Pcs',
      enabled: 1,
    });
    expect(goodsItem({ ...omsGoods('M-2'), specification: null, enabled: false })).toEqual({ sku_id: 'M-2', i_id: 'M-2', name: '商品 M-2 v1', unit: 'Pcs', enabled: -1 });
  });

  it('refuses, naming the field, an event without a goods code', () => {
    expect(() => goodsItem({ ...omsGoods('M-1'), sku: '' })).toThrow(expect.objectContaining({ field: 'sku' }));
  });

  it("reads the emulator's refusal texts as level-1 problems naming the canonical field; anything else is level 2", () => {
    expect(problemOf(GOODS_ERRORS.iId('M-1'))).toMatchObject({ level: 1, field: 'styleCode', code: 'JST_STYLE_INVALID' });
    expect(problemOf(GOODS_ERRORS.name('M-1'))).toMatchObject({ level: 1, field: 'name' });
    expect(problemOf(GOODS_ERRORS.skuId)).toMatchObject({ level: 1, field: 'sku' });
    expect(problemOf(GOODS_ERRORS.enabled('M-1'))).toMatchObject({ level: 1, field: 'enabled' });
    expect(problemOf('系统繁忙')).toMatchObject({ level: 2, code: 'JST_ITEM_REFUSED' });
    expect(problemOf(GOODS_ERRORS.iId('M-1')).message).toContain('JST refused');
  });
});
