import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { MasterDataStore } from '@yecai/master-data';
import { testEndpoints, testMongo } from '@yecai/test-harness';
import type { Db } from 'mongodb';
import { masterDataCommand } from './master-data';

describe('yecai master-data list|put|delete|import|export|history (real MongoDB-wire server)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let store: MasterDataStore;
  const dir = mkdtempSync(join(tmpdir(), 'yecai-md-'));
  const run = async (args: string[], flags: Record<string, string | boolean> = {}) => {
    const lines: string[] = [];
    await masterDataCommand(args, { 'mongodb-uri': testEndpoints().mongodbUri, db: db.databaseName, ...flags }, (line) => lines.push(line));
    return lines.join('\n');
  };
  /** The lines printed before the command failed, and its error. */
  const refused = async (args: string[], flags: Record<string, string | boolean> = {}) => {
    const lines: string[] = [];
    const error = await masterDataCommand(args, { 'mongodb-uri': testEndpoints().mongodbUri, db: db.databaseName, ...flags }, (line) => lines.push(line)).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error).toBeDefined();
    return { output: lines.join('\n'), message: error!.message };
  };

  beforeAll(async () => {
    ({ db, close } = await testMongo('cli_master_data'));
    store = new MasterDataStore(db);
  });
  afterAll(() => close());

  it('refuses a CSV and an .xlsx with a bad row, naming every bad row and column, and writes nothing', async () => {
    const csv = join(dir, 'warehouses.csv');
    writeFileSync(
      csv,
      '来源系统 sourceSystem,来源编码 sourceCode,金蝶仓库编码 kingdeeStockNumber,库存组织 stockOrg\njushuitan,100001,CK01,100\njushuitan,100002,,100\nerp9,100003,CK03,100\njushuitan,100001,CK09,100\n',
    );
    const fromCsv = await refused(['import', 'warehouse', csv]);
    expect(fromCsv.output.split('\n')).toEqual([
      expect.stringMatching(/^第 3 行 row 3, 列 column「金蝶仓库编码 kingdeeStockNumber」: 必填，没有值/),
      expect.stringMatching(/^第 4 行 row 4, 列 column「来源系统 sourceSystem」: 不是允许的值/),
      expect.stringMatching(/^第 5 行 row 5, 列 column「来源编码 sourceCode」: 同一文件中键重复 \(duplicate key jushuitan\/100001, also in data row 1\)/),
    ]);
    expect(fromCsv.message).toContain('nothing written');

    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('sku');
    sheet.addRow(['sourceSystem', 'skuCode', '金蝶物料编码 materialNumber', 'unit', 'batchRule', 'colour']);
    sheet.addRow(['jushuitan', 'A001', 'M-A001', 'Pcs', 'flow']); // a misnamed column is reported even when empty
    sheet.addRow(['jushuitan', 1002, 'M-1002', 'Pcs', 'fixed']); // fixed without fixedBatch; the number stays a code
    const xlsx = join(dir, 'skus.xlsx');
    writeFileSync(xlsx, Buffer.from(await workbook.xlsx.writeBuffer()));
    const fromXlsx = await refused(['import', 'sku', xlsx]);
    expect(fromXlsx.output.split('\n')).toEqual([
      expect.stringMatching(/^表头 header, 列 column「colour」: 未知列/),
      expect.stringMatching(/^第 3 行 row 3, 列 column「固定批号 fixedBatch」: 不符合规则 \(required when batchRule is fixed\)/),
    ]);
    expect(await store.collection('warehouse').countDocuments()).toBe(0);
    expect(await store.collection('sku').countDocuments()).toBe(0);
    expect(await run(['list'])).toMatch(/warehouse\s+仓库 warehouse\s+0/);
  });

  it('imports a good file, lists it, and exports CSV and .xlsx that import back unchanged', async () => {
    const csv = join(dir, 'shops.csv');
    writeFileSync(csv, 'sourceSystem,shopCode,shopName,customerNumber,deliveryOrg\njushuitan,10086,天猫旗舰店,C10086,101\njushuitan,10087,"京东, 自营",C10087,101\n');
    expect(await run(['import', 'shop', csv], { by: 'li.lei', reason: '上线初始化' })).toContain('新增 inserted 2');
    const listed = await run(['list', 'shop']);
    expect(listed).toContain('店铺编码 shopCode');
    expect(listed).toMatch(/jushuitan\/10087\s+jushuitan\s+10087\s+京东, 自营\s+C10087/);

    for (const name of ['shops-out.csv', 'shops-out.xlsx']) {
      const path = join(dir, name);
      expect(await run(['export', 'shop', path])).toContain('exported 2');
      expect(await run(['import', 'shop', path])).toContain('无变化 unchanged 2');
    }
    expect(readFileSync(join(dir, 'shops-out.csv'), 'utf8').split('\n')[0]).toBe('\ufeff来源系统 sourceSystem,店铺编码 shopCode,店铺名称 shopName,金蝶客户编码 customerNumber,发货组织 deliveryOrg,销售组织 saleOrg');
    const reread = new ExcelJS.Workbook();
    await reread.xlsx.readFile(join(dir, 'shops-out.xlsx'));
    expect(reread.worksheets[0]!.getRow(3).values).toEqual([undefined, 'jushuitan', '10087', '京东, 自营', 'C10087', '101']);
    expect(await run(['history', 'shop'])).toMatch(/shop\s+jushuitan\/10086\s+insert\s+li\.lei\s+cli\s+上线初始化/);
  });

  it('puts and deletes one record, with who and why recorded; bad input changes nothing', async () => {
    const fields = ['sourceSystem=jushuitan', 'sourceCode=WH-09', 'kingdeeStockNumber=CK09', 'stockOrg=100'];
    await expect(run(['put', 'warehouse', 'sourceSystem=jushuitan', 'sourceCode=WH-09', 'stockOrg=100'])).rejects.toThrow('金蝶仓库编码 kingdeeStockNumber');
    await expect(run(['put', 'warehouse', ...fields, 'colour=red'])).rejects.toThrow('colour');
    expect(await run(['put', 'warehouse', ...fields], { by: 'han.mei', reason: '新仓库' })).toContain('新增 inserted');
    expect(await run(['put', 'warehouse', ...fields.slice(0, 3), 'stockOrg=101'], { by: 'han.mei', reason: '仓库划到101' })).toContain('已修改 updated');
    expect(await store.get('warehouse', 'jushuitan/WH-09')).toMatchObject({ kingdeeStockNumber: 'CK09', stockOrg: '101' });

    await expect(run(['delete', 'warehouse', 'jushuitan/WH-09'])).rejects.toThrow('--reason');
    await expect(run(['delete', 'warehouse', 'jushuitan/NOPE'], { reason: '清理' })).rejects.toThrow('nothing deleted');
    expect(await run(['delete', 'warehouse', 'jushuitan/WH-09'], { reason: '仓库停用' })).toContain('已删除 deleted');
    expect(await store.get('warehouse', 'jushuitan/WH-09')).toBeNull();
    const history = (await run(['history', 'warehouse', 'jushuitan/WH-09'])).split('\n');
    expect(history.slice(1).map((line) => line.split(/\s{2,}/).slice(3, 7))).toEqual([
      ['delete', expect.any(String), 'cli', '仓库停用'],
      ['update', 'han.mei', 'cli', '仓库划到101'],
      ['insert', 'han.mei', 'cli', '新仓库'],
    ]);
  });
});
