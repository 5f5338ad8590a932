import { ValidationError } from '@yecai/common';
import { WDT_FORM_OF, problemOf, purchaseInfo } from './wdt-target';
import { omsPurchaseInstock, omsPurchaseReturn } from '../test/fixtures';

describe('旺店通 target: the push it sends and how it reads WDT refusals', () => {
  it('renders purchase_info with the outer number and exact decimal texts, leaving out empty optionals', () => {
    const event = { ...omsPurchaseInstock('CGRK001', { quantity: '2.500000' }), purchaseOrderNumber: 'CGDD9' };
    expect(purchaseInfo(event, 'CGRK001')).toEqual({
      outer_no: 'CGRK001',
      warehouse_no: 'HZ01',
      provider_no: 'GYS001',
      purchase_no: 'CGDD9',
      remark: '金蝶采购入库 CGRK001',
      details_list: [{ spec_no: expect.any(String), stockin_num: '2.500000', stockin_price: '12.5' }],
    });
  });

  it('renders a return as purchase_return_info lines: num and price (not the stock-in names), exact decimal texts', () => {
    const info = purchaseInfo(omsPurchaseReturn('CGTL001', { quantity: '0.125000' }), 'CGTL001', WDT_FORM_OF.oms_purchase_return.bill!);
    expect(info).toMatchObject({ outer_no: 'CGTL001', warehouse_no: 'HZ01', provider_no: 'GYS001', remark: '金蝶采购退料 CGTL001' });
    expect(info.details_list).toEqual([{ spec_no: expect.any(String), num: '0.125000', price: '12.5' }]);
    expect(WDT_FORM_OF.oms_purchase_return).toMatchObject({ push: 'purchase_return_push.php', query: 'stockout_order_query_return.php', listKey: 'stockout_list' });
  });

  it('refuses an event without a warehouse or lines, naming the field', () => {
    expect(() => purchaseInfo({ ...omsPurchaseInstock('X'), warehouse: '' }, 'X')).toThrow(ValidationError);
    expect(() => purchaseInfo({ ...omsPurchaseInstock('X'), warehouse: '' }, 'X')).toThrow(/warehouse/);
    expect(() => purchaseInfo({ ...omsPurchaseInstock('X'), lines: [] }, 'X')).toThrow(/lines/);
  });

  it('data refusals are level 1 naming the canonical field; other business answers level 2', () => {
    expect(problemOf({ code: 100, message: '仓库编号为 NOPE 的仓库不存在或无权限', body: {} })).toMatchObject({ level: 1, field: 'warehouse', code: 'WDT_WAREHOUSE_UNKNOWN' });
    expect(problemOf({ code: 100, message: '商家编码 X 不存在', body: {} })).toMatchObject({ level: 1, field: 'lines[].sku' });
    expect(problemOf({ code: 100, message: '供应商编号 X 不存在', body: {} })).toMatchObject({ level: 1, field: 'provider' });
    expect(problemOf({ code: 100, message: '商家编码 X 的入库数量必须大于0', body: {} })).toMatchObject({ level: 1, field: 'lines[].quantity' });
    expect(problemOf({ code: 100, message: '商家编码 X 的退货数量必须大于0', body: {} })).toMatchObject({ level: 1, field: 'lines[].quantity' });
    const other = problemOf({ code: 100, message: '单据已锁定', body: {} });
    expect(other).toMatchObject({ level: 2, code: 'WDT_BUSINESS_100' });
    expect(other.message).toContain('单据已锁定');
  });
});
