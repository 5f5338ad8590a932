/**
 * The Kingdee mirror against the emulator's WebAPI: keyset pages over (FID, entry id) keep every entry of every bill
 * even when a bill's entries straddle a page; an incremental refresh cannot see a delete, the period's sweep does;
 * a FieldKey the form rejects stops the run naming that key.
 */
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient, resolveKingdeeConnection } from '@yecai/kingdee';
import { convertDocument } from '@yecai/sink-kingdee';
import { canonical, kingdeeConfig, startEmulator } from '@yecai/sink-kingdee/test/fixtures';
import { testMongo } from '@yecai/test-harness';
import { reconcileFlow } from './flows';
import { FieldKeyError, KingdeeMirror } from './mirror';

const CONVERT = {
  billNumberPattern: '{billNumber}',
  customFields: { logisticsNumber: 'F_YC_LogisticsNo', onlineOrderNumber: 'F_YC_OnlineOrderNo' },
};

describe('Kingdee mirror (emulator WebAPI + FerretDB)', () => {
  let emulator: KingdeeEmulator;
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let client: KingdeeClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    mongo = await testMongo('mirror');
    client = new KingdeeClient(resolveKingdeeConnection(kingdeeConfig(emulator)));
    const lineCounts = [1, 3, 2, 1, 3];
    for (const [index, lines] of lineCounts.entries()) {
      const document = canonical('sales_outstock', `M-${index + 1}`, {
        date: '2026-11-1' + index,
        lines: Array.from({ length: lines }, (_, line) => ({ qty: String(line + 1) })),
      });
      const [draft] = convertDocument('sales_outstock', document, CONVERT);
      await client.save('SAL_OUTSTOCK', draft!.model as never);
    }
  });
  afterAll(async () => {
    await mongo?.close();
    await emulator?.close();
  });

  it('pages by (FID, entry id) two rows at a time without losing or splitting a bill; a delete is seen by the sweep only', async () => {
    const mirror = new KingdeeMirror(mongo.db, client, [reconcileFlow('sales_outstock')], 2);
    await mirror.validateFieldKeys();
    expect(await mirror.refresh()).toBe(5);
    const lines = async () =>
      Object.fromEntries((await mirror.all()).map((bill) => [bill.ref, bill.lines.map((line) => line.qty)]));
    expect(await lines()).toEqual({
      'M-1': ['1'],
      'M-2': ['1', '2', '3'],
      'M-3': ['1', '2'],
      'M-4': ['1'],
      'M-5': ['1', '2', '3'],
    });
    expect((await mirror.all()).find((bill) => bill.ref === 'M-2')).toMatchObject({
      billNo: 'M-2',
      org: '100',
      shop: 'TM-YS01',
      date: '2026-11-11',
      status: 'A',
      cancelStatus: 'A',
    });

    await client.operateEach('Delete', 'SAL_OUTSTOCK', { numbers: ['M-3'] });
    await mirror.refresh();
    expect(Object.keys(await lines())).toContain('M-3');
    expect(await mirror.sweep('2026-11')).toBe(4);
    expect(Object.keys(await lines()).sort()).toEqual(['M-1', 'M-2', 'M-4', 'M-5']);
  });

  it('fails loudly naming the FieldKey a form rejects, instead of dropping the column', async () => {
    const flow = reconcileFlow('sales_outstock');
    const mirror = new KingdeeMirror(mongo.db, client, [
      { ...flow, fields: { ...flow.fields, baseQty: 'FBaseQtyTypo' } },
    ]);
    const failure = mirror.validateFieldKeys();
    await expect(failure).rejects.toThrow(FieldKeyError);
    await expect(failure).rejects.toThrow(/SAL_OUTSTOCK 不接受字段 FBaseQtyTypo \(/);
    await expect(failure).rejects.not.toThrow(/FAllAmount/);
  });
});
