import { ParkingStore } from '@yecai/parking';
import { Ledger, type LedgerEntry } from '@yecai/sink-kingdee';
import { YONYOU_COLLECTION_PREFIX } from '@yecai/sink-yonyou';
import { testEndpoints, testMongo } from '@yecai/test-harness';
import type { Db } from 'mongodb';
import { parkedCommand, pendingCommand } from './exceptions';

type NewEntry = Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt'>;

function ledgerEntry(id: string, state: LedgerEntry['state'], problem: LedgerEntry['problem'], nextRetryAt: Date | null): NewEntry {
  const now = new Date('2026-11-20T02:00:00Z');
  return {
    _id: id,
    acctId: '6571a2b3c4d5e6',
    formId: 'SAL_OUTSTOCK',
    billNo: id.split('|')[2] ?? id,
    documentType: 'sales_outstock',
    documentKey: `jushuitan/main/sales_outstock/${id}`,
    state,
    stage: 'NONE',
    fid: null,
    version: 'v1',
    sourceModifiedAt: now.getTime(),
    postedVersion: null,
    canonical: {} as LedgerEntry['canonical'],
    problem,
    attempts: 1,
    level2Retries: state === 'REJECTED' ? 1 : 0,
    nextRetryAt,
    skipped: null,
  };
}

describe('yecai parked / pending (real MongoDB-wire server)', () => {
  let db: Db;
  let close: () => Promise<void>;
  const run = async (command: typeof parkedCommand, flags: Record<string, string>) => {
    const lines: string[] = [];
    await command([], { 'mongodb-uri': testEndpoints().mongodbUri, db: db.databaseName, ...flags }, (line) => lines.push(line));
    return lines.join('\n');
  };

  beforeAll(async () => {
    ({ db, close } = await testMongo('cli_exceptions'));
  });
  afterAll(() => close());

  it('says plainly when the collections do not exist yet', async () => {
    expect(await run(parkedCommand, {})).toContain(`集合不存在 collection ${db.databaseName}.parked_documents is absent`);
    expect(await run(pendingCommand, {})).toContain(`collection ${db.databaseName}.sink_kingdee_ledger is absent`);
  });

  it('lists level-1 documents from mapping and the ledger, and level-2 bills with their next retry', async () => {
    await new ParkingStore(db).park({
      stage: 'mapping',
      flow: 'jst_sales_outstock',
      key: 'jushuitan/main/sales_outstock/SO-1',
      level: 1,
      code: 'MASTER_DATA_MISSING',
      reasonZh: '仓库 WH9 未映射',
      reasonEn: 'warehouse WH9 is not mapped',
      raw: { id: 'SO-1' },
      source: { topic: 'yecai.raw.jushuitan.sales_outstock', partition: 0, offset: '42' },
    });
    const ledger = new Ledger(db);
    await ledger.insert(ledgerEntry('acct|SAL_OUTSTOCK|XSCK-7', 'PARKED', { level: 1, code: 'KINGDEE_DATA', message: '物料编码不存在', msgCode: 1 }, null), 'test');
    await ledger.insert(ledgerEntry('acct|SAL_OUTSTOCK|XSCK-8', 'REJECTED', { level: 2, code: 'STOCK_SHORT', message: '库存不足' }, new Date('2026-11-20T03:00:00Z')), 'test');
    await ledger.insert(ledgerEntry('acct|SAL_OUTSTOCK|XSCK-9', 'POSTED', null, null), 'test');

    const parked = await run(parkedCommand, {});
    expect(parked).toContain('仓库 WH9 未映射 warehouse WH9 is not mapped');
    expect(parked).toContain('物料编码不存在');
    expect(parked).not.toContain('XSCK-8');
    expect(parked).toContain('共 2 条 total 2');
    expect(await run(parkedCommand, { stage: 'mapping' })).toContain('共 1 条 total 1');

    const pending = await run(pendingCommand, {});
    expect(pending).toContain('XSCK-8');
    expect(pending).toContain('2026-11-20 11:00:00'); // next retry, Beijing time
    expect(pending).not.toContain('XSCK-9');
    expect(pending).toContain('共 1 条 total 1');
  });

  it('reads every sink ledger: a YonSuite run’s parked and pending documents appear under sink-yonyou, and --stage picks one sink', async () => {
    const yonyou = new Ledger(db, YONYOU_COLLECTION_PREFIX);
    await yonyou.insert({ ...ledgerEntry('tenant|salesout|YS-1', 'PARKED', { level: 1, code: 'YONYOU_DATA', message: '物料[SKU-X]不存在' }, null), formId: 'salesout' }, 'test');
    await yonyou.insert({ ...ledgerEntry('tenant|salesout|YS-2', 'REJECTED', { level: 2, code: 'STOCK_SHORT', message: '现存量不足' }, new Date('2026-11-20T04:00:00Z')), formId: 'salesout' }, 'test');

    const parked = await run(parkedCommand, {});
    expect(parked).toMatch(/sink-yonyou .*物料\[SKU-X\]不存在/);
    expect(parked).toContain('物料编码不存在'); // the Kingdee ledger's, still listed
    expect(await run(parkedCommand, { stage: 'sink-yonyou' })).toContain('共 1 条 total 1');

    const pending = await run(pendingCommand, { stage: 'sink-yonyou' });
    expect(pending).toMatch(/sink-yonyou .*YS-2/);
    expect(pending).not.toContain('XSCK-8');
    expect(await run(pendingCommand, {})).toContain('共 2 条 total 2');
    await expect(run(pendingCommand, { stage: 'mapping' })).rejects.toThrow(/--stage: "mapping" 不是写入服务 is not a sink/);
  });

  it('rejects an unknown status or state naming the allowed values', async () => {
    await expect(run(parkedCommand, { status: 'GONE' })).rejects.toThrow(/--status: "GONE" .*OPEN, REPUSHED/);
    await expect(run(pendingCommand, { state: 'LATE' })).rejects.toThrow(/--state: "LATE" .*REJECTED/);
    await expect(run(pendingCommand, { limit: '-3' })).rejects.toThrow(/--limit: "-3" 不是正整数/);
  });
});
