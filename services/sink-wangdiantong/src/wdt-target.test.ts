import { ValidationError } from '@yecai/common';
import { WDT_FORM_OF, problemOf, stockBillInfo } from './wdt-target';
import { omsOtherInstock, omsOtherOutstock, omsStockCount, omsTransfer, omsPurchaseInstock, omsPurchaseReturn } from '../test/fixtures';

describe('旺店通 target: the push it sends and how it reads WDT refusals', () => {
  it('renders purchase_info with the outer number and exact decimal texts, leaving out empty optionals', () => {
    const event = { ...omsPurchaseInstock('CGRK001', { quantity: '2.500000' }), purchaseOrderNumber: 'CGDD9' };
    expect(stockBillInfo(event, 'CGRK001')).toEqual({
      outer_no: 'CGRK001',
      warehouse_no: 'HZ01',
      provider_no: 'GYS001',
      purchase_no: 'CGDD9',
      remark: '金蝶采购入库 CGRK001',
      details_list: [{ spec_no: expect.any(String), stockin_num: '2.500000', stockin_price: '12.5' }],
    });
  });

  it('renders a return as purchase_return_info lines: num and price (not the stock-in names), exact decimal texts', () => {
    const info = stockBillInfo(omsPurchaseReturn('CGTL001', { quantity: '0.125000' }), 'CGTL001', WDT_FORM_OF.oms_purchase_return.bill!);
    expect(info).toMatchObject({ outer_no: 'CGTL001', warehouse_no: 'HZ01', provider_no: 'GYS001', remark: '金蝶采购退料 CGTL001' });
    expect(info.details_list).toEqual([{ spec_no: expect.any(String), num: '0.125000', price: '12.5' }]);
    expect(WDT_FORM_OF.oms_purchase_return).toMatchObject({ push: 'purchase_return_push.php', query: 'stockout_order_query_return.php', listKey: 'stockout_list' });
  });

  it('renders 其他入库 as stockin_info with goods_list and 其他出库 as stockout_info with detail_list: no provider, exact decimal texts, the batch', () => {
    const inInfo = stockBillInfo({ ...omsOtherInstock('QTRK001', { quantity: '2.500000' }) }, 'QTRK001', WDT_FORM_OF.oms_other_instock.bill!);
    expect(inInfo).toEqual({ outer_no: 'QTRK001', warehouse_no: 'HZ01', remark: '金蝶其他入库 QTRK001', goods_list: [{ spec_no: expect.any(String), stockin_num: '2.500000', stockin_price: '12.5' }] });
    const outEvent = omsOtherOutstock('QTCK001', { quantity: '0.000001' });
    const outInfo = stockBillInfo({ ...outEvent, lines: [{ ...(outEvent.lines as object[])[0], price: null, batch: 'L7' }] }, 'QTCK001', WDT_FORM_OF.oms_other_outstock.bill!);
    expect(outInfo).toEqual({ outer_no: 'QTCK001', warehouse_no: 'HZ01', remark: '金蝶其他出库 QTCK001', detail_list: [{ spec_no: expect.any(String), num: '0.000001', batch_no: 'L7' }] });
    expect(WDT_FORM_OF.oms_other_instock).toMatchObject({ formId: 'other_instock', push: 'stockin_order_push.php', query: 'stockin_order_query.php', listKey: 'stockin_list' });
    expect(WDT_FORM_OF.oms_other_outstock).toMatchObject({ formId: 'other_outstock', push: 'stockout_order_push.php', query: 'stockout_order_query.php', listKey: 'stockout_list' });
  });

  it('renders 调拨 as transfer_info: both warehouses, skus with num only (no price), exact decimal texts', () => {
    const info = stockBillInfo(omsTransfer('ZJDB001', { quantity: '0.000001' }), 'ZJDB001', WDT_FORM_OF.oms_transfer.bill!);
    expect(info).toEqual({ outer_no: 'ZJDB001', from_warehouse_no: 'HZ01', to_warehouse_no: 'SH01', remark: '金蝶调拨 ZJDB001', skus: [{ spec_no: expect.any(String), num: '0.000001' }] });
    expect(WDT_FORM_OF.oms_transfer).toMatchObject({ formId: 'transfer', push: 'stock_transfer_push.php', query: 'stock_transfer_query.php', listKey: 'transfer_list' });
    expect(() => stockBillInfo({ ...omsTransfer('X'), toWarehouse: '' }, 'X', WDT_FORM_OF.oms_transfer.bill!)).toThrow(/toWarehouse/);
  });

  it('a transfer refusal names the side: 调出 → fromWarehouse, 调入 or both sides one warehouse → toWarehouse (level 1)', () => {
    expect(problemOf({ code: 100, message: '调出仓库编号为 X 的仓库不存在或无权限', body: {} })).toMatchObject({ level: 1, field: 'fromWarehouse' });
    expect(problemOf({ code: 100, message: '调入仓库编号为 X 的仓库不存在或无权限', body: {} })).toMatchObject({ level: 1, field: 'toWarehouse' });
    expect(problemOf({ code: 100, message: '调出仓库和调入仓库不能相同（HZ01）', body: {} })).toMatchObject({ level: 1, field: 'toWarehouse', code: 'WDT_WAREHOUSE_SAME' });
    expect(problemOf({ code: 100, message: '商家编码 X 的调拨数量必须大于0', body: {} })).toMatchObject({ level: 1, field: 'lines[].quantity' });
  });

  it('renders 盘点 for stock_sync_by_pd: goods_list with the counted stock (not the gain) as stock_num, the outer number and remark', () => {
    const info = stockBillInfo(omsStockCount('PY001', { quantity: '2.5', counted: '12.500001' }), 'PY001', WDT_FORM_OF.oms_stock_count.bill!);
    expect(info).toEqual({ outer_no: 'PY001', warehouse_no: 'HZ01', remark: '金蝶盘盈 PY001', goods_list: [{ spec_no: expect.any(String), stock_num: '12.500001' }] });
    expect(WDT_FORM_OF.oms_stock_count).toMatchObject({ formId: 'stock_pd', push: 'stock_sync_by_pd.php', query: 'stock_pd_order_query.php', listKey: 'pd_list' });
    const event = omsStockCount('PY002');
    expect(() => stockBillInfo({ ...event, lines: [{ ...(event.lines as object[])[0], countedQuantity: null }] }, 'PY002', WDT_FORM_OF.oms_stock_count.bill!)).toThrow(/lines\[0\]\.countedQuantity/);
    // A 盘点 refusal of the counted stock names countedQuantity; a 商家编码 twice names the SKU (level 1).
    expect(problemOf({ code: 100, message: '商家编码 X 的盘点数量不能小于0', body: {} })).toMatchObject({ level: 1, field: 'lines[].countedQuantity' });
    expect(problemOf({ code: 100, message: '商家编码 X 重复', body: {} })).toMatchObject({ level: 1, field: 'lines[].sku', code: 'WDT_SPEC_REPEATED' });
  });

  it('refuses an event without a warehouse or lines, naming the field', () => {
    expect(() => stockBillInfo({ ...omsPurchaseInstock('X'), warehouse: '' }, 'X')).toThrow(ValidationError);
    expect(() => stockBillInfo({ ...omsPurchaseInstock('X'), warehouse: '' }, 'X')).toThrow(/warehouse/);
    expect(() => stockBillInfo({ ...omsPurchaseInstock('X'), lines: [] }, 'X')).toThrow(/lines/);
  });

  it('data refusals are level 1 naming the canonical field; other business answers level 2', () => {
    expect(problemOf({ code: 100, message: '仓库编号为 NOPE 的仓库不存在或无权限', body: {} })).toMatchObject({ level: 1, field: 'warehouse', code: 'WDT_WAREHOUSE_UNKNOWN' });
    expect(problemOf({ code: 100, message: '商家编码 X 不存在', body: {} })).toMatchObject({ level: 1, field: 'lines[].sku' });
    expect(problemOf({ code: 100, message: '供应商编号 X 不存在', body: {} })).toMatchObject({ level: 1, field: 'provider' });
    expect(problemOf({ code: 100, message: '商家编码 X 的入库数量必须大于0', body: {} })).toMatchObject({ level: 1, field: 'lines[].quantity' });
    expect(problemOf({ code: 100, message: '商家编码 X 的退货数量必须大于0', body: {} })).toMatchObject({ level: 1, field: 'lines[].quantity' });
    expect(problemOf({ code: 100, message: '商家编码 X 的出库数量必须大于0', body: {} })).toMatchObject({ level: 1, field: 'lines[].quantity' });
    const other = problemOf({ code: 100, message: '单据已锁定', body: {} });
    expect(other).toMatchObject({ level: 2, code: 'WDT_BUSINESS_100' });
    expect(other.message).toContain('单据已锁定');
  });
});
