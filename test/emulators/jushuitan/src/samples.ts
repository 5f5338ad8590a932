/**
 * A 实际收货 as a real project exported it (odd ids, a shop, fields the generator never writes): what tests replay
 * with `store.insertExact` to prove a document comes back exactly as given.
 */
export function sampleReceipt(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    io_id: 7300123,
    o_id: 1882001,
    so_id: '4011223344556677889',
    as_id: 5512009,
    shop_id: 16004421,
    shop_name: '样例旗舰店',
    io_date: '2026-11-19 16:42:07',
    modified: '2026-11-19 16:45:00',
    status: 'Confirmed',
    warehouse: '华东退货仓',
    wh_id: 2,
    wms_co_id: 10422,
    l_id: 'SF1400998877665',
    remark: '客户拒收，包装完好',
    ts: 205_000_000_001,
    items: [
      { ioi_id: 99001, sku_id: 'REAL-SKU-01', i_id: 'A900', qty: 2, sale_price: 128.5, sale_amount: 257, batch_id: '0' },
    ],
    ...overrides,
  };
}
