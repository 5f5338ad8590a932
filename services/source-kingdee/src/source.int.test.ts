/**
 * The Kingdee source over real Kafka against @yecai/emulator-kingdee (the one Kingdee emulator): only audited bills
 * and audited materials sold online are published, each bill once with all its entries, a late modification once
 * more, and bills yecai wrote itself (第三方单据编号 set by sink-kingdee) are skipped — each skip logged by FID.
 */
import { Decimal, formatBeijingTime } from '@yecai/common';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import type { KafkaClient } from '@yecai/kafka';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import { readRawDocuments } from '@yecai/connector-kit/src/conformance/raw';
import { kingdee } from './source';
import { KingdeeTransport } from './transport';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const APP = { appId: '300123_Q2kDWNdw1LBa4D0NTa6ADbQqTZbJUCTB', appSecret: '8b2677b7426a4ce7b3de6413d8924bbe' };
/** Kingdee writes FModifyDate in server (Beijing) time: 2026-12-07T13:25:34. */
const kingdeeTime = (ms: number) => formatBeijingTime(ms).replace(' ', 'T');

describe('金蝶 source over real Kafka', () => {
  let emulator: KingdeeEmulator;
  let kafka: KafkaClient;

  beforeEach(async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('kingdee');
    process.env.KINGDEE_TEST_APP_SECRET = APP.appSecret;
    kafka = testKafka();
    emulator = await startKingdeeEmulator();
  });
  afterEach(async () => {
    await emulator?.close();
    await kafka.disconnect();
  });

  let nextId = 900_001;
  /** An STK_InStock bill as Kingdee stores it; `thirdBillNo` is what sink-kingdee writes (FInStockFin.FTHIRDBILLNO). */
  const addInStock = (options: { status: 'A' | 'C'; modifiedMs: number; lines: number; thirdBillNo?: string }) => {
    const id = nextId++;
    emulator.state.billsOf('STK_InStock').set(id, {
      id,
      formId: 'STK_InStock',
      billNo: `CGRK${id}`,
      status: options.status,
      header: {
        FDate: '2026-12-01T00:00:00',
        FNote: 'native',
        ...(options.thirdBillNo ? { FTHIRDBILLNO: options.thirdBillNo } : {}),
      },
      entries: Array.from({ length: options.lines }, (_, index) => ({
        entryId: id * 10 + index,
        seq: index + 1,
        fields: { FRealQty: new Decimal(`${index + 1}.50`), FLot: `L${index + 1}` },
        sub: [],
      })),
      createDate: kingdeeTime(options.modifiedMs),
      modifyDate: kingdeeTime(options.modifiedMs),
      approveDate: options.status === 'C' ? kingdeeTime(options.modifiedMs) : null,
    });
    return id;
  };
  const addMaterial = (number: string, status: 'A' | 'C', online: boolean, modifiedMs: number) => {
    const id = nextId++;
    emulator.state.base.push({
      id,
      masterId: id,
      formId: 'BD_MATERIAL',
      number,
      name: number,
      createOrgId: 1,
      useOrgId: 1,
      status,
      forbidStatus: 'A',
      fields: { F_YC_IsOnline: online },
      createDate: kingdeeTime(modifiedMs),
      modifyDate: kingdeeTime(modifiedMs),
    });
    return id;
  };

  const syncOnce = async (startAt: number, streams = ['purchase_instock', 'material']) => {
    const service = kingdee.createService(
      kingdee.validateConfig(
        {
          opsPort: 0,
          retry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 4 },
          accounts: [
            {
              name: 'demo',
              startAt: formatBeijingTime(startAt),
              masterDataStartAt: formatBeijingTime(startAt),
              streams,
              connection: {
                serverUrl: emulator.url,
                acctId: '6571a2b3c4d5e6',
                userName: 'yecai-integration',
                auth: { mode: 'signature', appId: APP.appId, appSecret: 'env:KINGDEE_TEST_APP_SECRET' },
                limits: { callsPerSecond: 1000 },
              },
            },
          ],
        },
        'test config',
      ),
    );
    try {
      await service.runtime.runOnce();
    } finally {
      await service.close();
    }
  };
  const ref = (number: string) => ({ ref: 'BD_STOCK' as const, id: 1, number, name: number });
  const mat = (number: string) => ({ ref: 'BD_MATERIAL' as const, id: 1, number, name: number });
  /** An audited STK_AssembledApp: 成品 rows, each with its 子件 sub-rows. */
  const addAssembly = (modifiedMs: number, products: { material: string; qty: string; components: [string, string, string][] }[]) => {
    const id = nextId++;
    emulator.state.billsOf('STK_AssembledApp').set(id, {
      id,
      formId: 'STK_AssembledApp',
      billNo: `ZZCX${id}`,
      status: 'C',
      header: { FDate: '2026-12-01T00:00:00', FAffairType: 'Assembly', FNote: null },
      entries: products.map((product, index) => ({
        entryId: id * 10 + index,
        seq: index + 1,
        fields: { FMaterialID: mat(product.material), FQty: new Decimal(product.qty), FStockID: ref('CK01'), FLot: null },
        sub: product.components.map(([material, qty, lot], subIndex) => ({
          entryId: id * 100 + index * 10 + subIndex,
          seq: subIndex + 1,
          fields: { FMaterialIDSETY: mat(material), FQtySETY: new Decimal(qty), FStockIDSETY: ref('CK02'), FLotSETY: lot || null },
        })),
      })),
      createDate: kingdeeTime(modifiedMs),
      modifyDate: kingdeeTime(modifiedMs),
      approveDate: kingdeeTime(modifiedMs),
    });
    return id;
  };

  const published = (documentType: string) =>
    readRawDocuments(kafka, testEndpoints().schemaRegistryUrl, 'kingdee', documentType);

  it('publishes audited bills once with their entries, skips unaudited and yecai-written bills, and a late edit once more', async () => {
    const now = Date.now();
    // 230 audited bills, 120 in one second: pages of 100 bills, a same-second run across page boundaries.
    const audited = Array.from({ length: 230 }, (_, index) =>
      addInStock({
        status: 'C',
        modifiedMs: index < 120 ? now - 2 * HOUR : now - 3 * HOUR + index * 1000,
        lines: 1 + (index % 3),
      }),
    );
    const draft = addInStock({ status: 'A', modifiedMs: now - 2 * HOUR, lines: 1 });
    const ours = addInStock({ status: 'C', modifiedMs: now - 2 * HOUR, lines: 2, thirdBillNo: 'JST-PI-20261201-7' });
    const online = addMaterial('M-ONLINE', 'C', true, now - 2 * HOUR);
    addMaterial('M-OFFLINE', 'C', false, now - 2 * HOUR);
    addMaterial('M-DRAFT', 'A', true, now - 2 * HOUR);

    const skipped = jest.spyOn(KingdeeTransport.prototype, 'reportEchoSkipped');
    let skips: unknown[];
    try {
      await syncOnce(now - 6 * HOUR);
    } finally {
      skips = skipped.mock.calls.map(([skip]) => skip);
      skipped.mockRestore();
    }

    const first = await published('purchase_instock');
    expect(first.map((document) => Number(document.sourceId)).sort()).toEqual([...audited].sort());
    const payload = JSON.parse(first.find((document) => Number(document.sourceId) === audited[2])!.payload) as {
      FBillNo: string;
      entries: { FRealQty: string; FLot: string }[];
    };
    expect(payload.FBillNo).toBe(`CGRK${audited[2]}`);
    expect(payload.entries.map((entry) => [entry.FRealQty, entry.FLot])).toEqual([
      ['1.5', 'L1'],
      ['2.5', 'L2'],
      ['3.5', 'L3'],
    ]);
    expect(first.some((document) => Number(document.sourceId) === draft)).toBe(false);
    // The bill yecai wrote is skipped and the skip names it, one line per bill.
    expect(first.some((document) => Number(document.sourceId) === ours)).toBe(false);
    expect(skips).toEqual([
      expect.objectContaining({
        fid: String(ours),
        billNo: `CGRK${ours}`,
        originField: 'FTHIRDBILLNO',
        origin: 'JST-PI-20261201-7',
      }),
    ]);

    expect((await published('material')).map((document) => Number(document.sourceId))).toEqual([online]);

    // A late edit (new FModifyDate) is published once; the rest is deduplicated.
    const edited = emulator.state.billsOf('STK_InStock').get(audited[5]!)!;
    edited.modifyDate = kingdeeTime(Date.now() - 2 * MINUTE);
    edited.header.FNote = 'edited';
    await syncOnce(now - 6 * HOUR);
    const second = await published('purchase_instock');
    expect(second).toHaveLength(first.length + 1);
    const versions = second
      .filter((document) => Number(document.sourceId) === audited[5])
      .map((document) => (JSON.parse(document.payload) as { FNote: string }).FNote);
    expect(versions.sort()).toEqual(['edited', 'native']);
  }, 240_000);

  it('publishes a 组装拆卸单 with each 成品 entry carrying its 子件 sub-entries (material, exact qty, stock, lot)', async () => {
    const now = Date.now();
    const id = addAssembly(now - 2 * HOUR, [
      { material: 'P-KIT', qty: '2', components: [['C-BOX', '2.000001', ''], ['C-CARD', '4', 'L9']] },
      { material: 'P-BARE', qty: '1', components: [] },
    ]);
    await syncOnce(now - 6 * HOUR, ['assembly']);
    const documents = await published('assembly');
    expect(documents.map((document) => Number(document.sourceId))).toEqual([id]);
    const payload = JSON.parse(documents[0]!.payload) as {
      FAffairType: string;
      entries: Array<Record<string, unknown> & { FSubEntity: Array<Record<string, unknown>> }>;
    };
    expect(payload.FAffairType).toBe('Assembly');
    expect(payload.entries.map((entry) => [entry['FMaterialID.FNumber'], entry.FQty, entry['FStockID.FNumber']])).toEqual([
      ['P-KIT', '2', 'CK01'],
      ['P-BARE', '1', 'CK01'],
    ]);
    expect(payload.entries[0]!.FSubEntity).toEqual([
      expect.objectContaining({ FSubEntity_FEntryID: String(id * 100), 'FMaterialIDSETY.FNumber': 'C-BOX', FQtySETY: '2.000001', 'FStockIDSETY.FNumber': 'CK02', FLotSETY: '' }),
      expect.objectContaining({ FSubEntity_FEntryID: String(id * 100 + 1), 'FMaterialIDSETY.FNumber': 'C-CARD', FQtySETY: '4', FLotSETY: 'L9' }),
    ]);
    // A 成品 without 子件 stays an entry (its own query keeps it), with none.
    expect(payload.entries[1]!.FSubEntity).toEqual([]);
  }, 120_000);
});
