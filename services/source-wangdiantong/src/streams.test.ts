import { CANONICAL_DEFINITIONS } from '@yecai/contracts';
import { WDT_MASTER_STREAMS, WDT_STREAM_DECLARATIONS, wdtStreams } from './streams';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('WDT stream declarations', () => {
  it('publish under canonical document types only', () => {
    const canonical = new Set(CANONICAL_DEFINITIONS.map((definition) => definition.documentType));
    const types = WDT_STREAM_DECLARATIONS.map((declaration) => declaration.documentType);
    expect(types.filter((type) => !canonical.has(type))).toEqual([]);
    expect(types.sort()).toEqual(
      [
        'assembly',
        'customer',
        'material',
        'other_instock',
        'other_outstock',
        'purchase_instock',
        'purchase_return',
        'sales_outstock',
        'sales_return',
        'stock_count',
        'transfer',
        'warehouse',
      ].sort(),
    );
    expect(WDT_MASTER_STREAMS.sort()).toEqual(['customer', 'material', 'warehouse']);
  });

  it("cap each window at the edition's limit (旗舰版 sales out-stock: 60 min)", () => {
    const qjb = wdtStreams({ edition: 'qjb', windowMinutes: 240 });
    const qyb = wdtStreams({ edition: 'qyb', windowMinutes: 240 });
    const sales = (streams: typeof qjb) => streams.find((s) => s.name === 'sales_outstock')!;
    expect(sales(qjb).cursor).toMatchObject({ kind: 'modified_time', maxWindowMs: 60 * MINUTE, windowMs: 60 * MINUTE });
    expect(sales(qyb).cursor).toMatchObject({ maxWindowMs: 30 * DAY, windowMs: 240 * MINUTE });
    expect(sales(qyb).endpoint).toBe('stockout_order_query_trade.php');
    expect(sales(qjb).endpoint).toBe('wms.stockout.Sales.queryWithDetail');
    expect(qjb.find((s) => s.name === 'transfer')!.cursor).toMatchObject({
      maxWindowMs: 30 * DAY,
      windowMs: 240 * MINUTE,
    });
  });

  it('read 旗舰版 transfer times as epoch ms, everything else as Beijing datetimes', () => {
    expect(
      wdtStreams({ edition: 'qjb' })
        .filter((s) => s.modifiedFormat === 'epoch_ms')
        .map((s) => s.name),
    ).toEqual(['transfer']);
    expect(wdtStreams({ edition: 'qyb' }).every((s) => s.modifiedFormat === 'beijing_datetime')).toBe(true);
  });

  it('read master data in the longest windows the API allows, and page backwards 100 rows at a time', () => {
    const streams = wdtStreams({ edition: 'qjb' });
    expect(streams.find((s) => s.name === 'material')!.cursor).toMatchObject({ windowMs: 30 * DAY });
    expect((streams.find((s) => s.name === 'customer')!.cursor as { windowMs: number }).windowMs).toBeGreaterThan(
      10 * 365 * DAY,
    );
    for (const stream of streams) {
      expect(stream.paging).toEqual({ style: 'page_index_backward', pageSize: 100, maxPageSize: 100 });
      expect(stream.modifiedField).toBe('modified');
    }
  });
});
