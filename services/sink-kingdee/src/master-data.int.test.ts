/**
 * Master data through the sink: material, customer, supplier and warehouse events are saved in their create org, audited and
 * allocated to every use org of the flow — once each, also when Kingdee already holds part of the work (a record
 * saved and allocated before the ledger knew, as after a crash). Real Kafka + FerretDB + the Kingdee emulator.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_FIXTURE_PATH, loadFixture, startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient } from '@yecai/kingdee';
import { kingdeeConfig } from '../test/fixtures';
import { startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../test/sink-under-test';
import { ledgerId } from '@yecai/sink-kit';

const ACCT = '6571a2b3c4d5e6';

function source(documentType: string, sourceId: string, version = 1) {
  return {
    sourceSystem: 'wangdiantong',
    account: 'demo',
    documentType,
    sourceId,
    sourceModifiedAt: 1_763_600_000_000 + version * 1000,
    contentHash: createHash('sha256').update(`${documentType}/${sourceId}/v${version}`).digest('hex'),
    rawTopic: `raw.wangdiantong.${documentType}`,
    rawPartition: 0,
    rawOffset: version,
  };
}

const mapping = { flow: 'wangdiantong/test', ruleVersion: 'test-1', mappedAt: 1_763_600_000_000 };

const material = (number: string) => ({
  source: source('material', number),
  mapping,
  number,
  name: `测试物料 ${number}`,
  barcode: null,
  specification: 'SPEC-1',
  baseUnit: 'Pcs',
  createOrg: '100',
  useOrgs: ['100'],
  batchManaged: true,
  defaultBatch: null,
  soldOnline: true,
  enabled: true,
});

describe('master data: BD_MATERIAL / BD_Customer / BD_Supplier / BD_STOCK saved, audited and allocated (real Kafka + FerretDB + emulator)', () => {
  let emulator: KingdeeEmulator;
  let sink: SinkUnderTest | undefined;
  beforeEach(async () => {
    useUniqueTopicPrefix();
    // The default site plus a third org, so a record can go to two use orgs besides its create org.
    const fixture = loadFixture(DEFAULT_FIXTURE_PATH);
    emulator = await startKingdeeEmulator({ port: 0, seed: { ...fixture, organisations: [...fixture.organisations, { number: '102', name: '深圳云杉电子商务有限公司' }] } });
  });
  afterEach(async () => {
    await sink?.stop();
    sink = undefined;
    await emulator.close();
  });

  /** Use orgs (numbers) holding `number` of `formId`, with each copy's status. */
  const copies = (formId: string, number: string) => {
    const orgNumber = (id: number) => emulator.state.base.find((record) => record.formId === 'ORG_Organizations' && record.id === id)?.number;
    return emulator.state.base
      .filter((record) => record.formId === formId && record.number === number)
      .map((record) => `${orgNumber(record.useOrgId)}:${record.status}`)
      .sort();
  };

  it('a material allocated to two use orgs, a customer and a supplier: each saved once, audited, allocated once per org', async () => {
    sink = await startSinkUnderTest(emulator, {
      flows: [
        { documentType: 'material', allocateToOrgs: ['101', '102'] },
        { documentType: 'customer', allocateToOrgs: ['101'] },
        { documentType: 'supplier' },
      ],
    });
    await sink.produce('material', [material('MD-MAT-1')]);
    await sink.produce('customer', [
      { source: source('customer', 'MD-CUS-1'), mapping, number: 'MD-CUS-1', name: '测试客户', createOrg: '100', useOrgs: ['100', '102'], tradingCurrencyNumber: 'PRE001', group: null, enabled: true },
    ]);
    await sink.produce('supplier', [
      { source: source('supplier', 'MD-SUP-1'), mapping, number: 'MD-SUP-1', name: '测试供应商', createOrg: '100', useOrgs: ['100'], payCurrencyNumber: 'PRE001', role: 'GOODS', enabled: true },
    ]);
    await sink.waitForStates({ POSTED: 3 }, 'material, customer and supplier posted');

    expect(copies('BD_MATERIAL', 'MD-MAT-1')).toEqual(['100:C', '101:C', '102:C']);
    // The flow's orgs and the event's own use orgs.
    expect(copies('BD_Customer', 'MD-CUS-1')).toEqual(['100:C', '101:C', '102:C']);
    expect(copies('BD_Supplier', 'MD-SUP-1')).toEqual(['100:C']);
    const entry = (await sink.service.ledger.get(ledgerId(ACCT, 'BD_MATERIAL', 'MD-MAT-1')))!;
    expect(entry).toMatchObject({ state: 'POSTED', stage: 'AUDITED', allocatedOrgs: ['101', '102'] });
    expect((await sink.service.ledger.history(entry._id)).map((step) => step.event)).toContain('allocated');

    // A redelivery of the same version changes nothing.
    await sink.produce('material', [material('MD-MAT-1')]);
    await sink.produce('material', [material('MD-MAT-2')]);
    await sink.waitForStates({ POSTED: 4 }, 'second material posted after the redelivery');
    expect(copies('BD_MATERIAL', 'MD-MAT-1')).toEqual(['100:C', '101:C', '102:C']);
    expect(copies('BD_MATERIAL', 'MD-MAT-2')).toEqual(['100:C', '101:C', '102:C']);
  });

  it('warehouses: a new one saved in its own org and audited (allocated only to the extra use org it carries), one Kingdee already holds adopted', async () => {
    const warehouse = (number: string, createOrg: string, useOrgs: string[]) => ({
      source: source('warehouse', number), mapping, number, name: `测试仓库 ${number}`, createOrg, useOrgs, allowNegativeStock: false, enabled: true,
    });
    const stockIdOfCK101 = emulator.state.base.find((record) => record.formId === 'BD_STOCK' && record.number === 'CK101')!.id;
    sink = await startSinkUnderTest(emulator, { flows: [{ documentType: 'warehouse' }] });
    await sink.produce('warehouse', [warehouse('MD-STK-1', '101', ['101']), warehouse('MD-STK-2', '100', ['100', '102']), warehouse('CK101', '101', ['101'])]);
    await sink.waitForStates({ POSTED: 3 }, 'two new warehouses posted, the existing one adopted');

    expect(copies('BD_STOCK', 'MD-STK-1')).toEqual(['101:C']);
    expect(copies('BD_STOCK', 'MD-STK-2')).toEqual(['100:C', '102:C']);
    expect(copies('BD_STOCK', 'CK101')).toEqual(['101:C']);
    expect(await sink.service.ledger.get(ledgerId(ACCT, 'BD_STOCK', 'CK101'))).toMatchObject({ state: 'POSTED', fid: stockIdOfCK101 });
    expect(emulator.callCounts.get('Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Allocate')).toBe(1);

    // Visible to a query the way bills reference it: number, org, 普通仓库, no negative stock.
    const client = KingdeeClient.fromConfig(kingdeeConfig(emulator));
    const rows = await client.executeBillQuery({ formId: 'BD_STOCK', fieldKeys: ['FNumber', 'FName', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber', 'FStockProperty', 'FAllowMinusQty', 'FDocumentStatus'], filter: "FNumber = 'MD-STK-1'", topRowCount: 0, limit: 10 });
    expect(rows.map((row) => [row.FNumber, row.FName, row['FCreateOrgId.FNumber'], row['FUseOrgId.FNumber'], row.FStockProperty, row.FAllowMinusQty, row.FDocumentStatus])).toEqual([
      ['MD-STK-1', '测试仓库 MD-STK-1', '101', '101', '1', false, 'C'],
    ]);

    // A redelivery saves nothing new.
    const saves = emulator.callCounts.get('Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave') ?? 0;
    await sink.produce('warehouse', [warehouse('MD-STK-1', '101', ['101']), warehouse('MD-STK-3', '100', ['100'])]);
    await sink.waitForStates({ POSTED: 4 }, 'third warehouse posted after the redelivery');
    expect(copies('BD_STOCK', 'MD-STK-1')).toEqual(['101:C']);
    expect(copies('BD_STOCK', 'MD-STK-3')).toEqual(['100:C']);
    expect(emulator.callCounts.get('Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave')).toBe(saves + 1);
  });

  it('a record Kingdee already holds, allocated to one org (the ledger never heard of it, as after a crash): adopted, only the missing org allocated', async () => {
    const client = KingdeeClient.fromConfig(kingdeeConfig(emulator));
    const saved = await client.save('BD_MATERIAL', { FCreateOrgId: { FNumber: '100' }, FUseOrgId: { FNumber: '100' }, FNumber: 'MD-MAT-9', FName: '已有物料' });
    await client.submit('BD_MATERIAL', { ids: [saved.id] });
    await client.audit('BD_MATERIAL', { ids: [saved.id] });
    const org101 = emulator.state.base.find((record) => record.formId === 'ORG_Organizations' && record.number === '101')!.id;
    await client.allocate('BD_MATERIAL', { pkIds: [saved.id], targetOrgIds: [org101], autoSubmitAndAudit: true });
    expect(copies('BD_MATERIAL', 'MD-MAT-9')).toEqual(['100:C', '101:C']);

    sink = await startSinkUnderTest(emulator, { flows: [{ documentType: 'material', allocateToOrgs: ['101', '102'] }] });
    await sink.produce('material', [material('MD-MAT-9')]);
    await sink.waitForStates({ POSTED: 1 }, 'existing material adopted and allocated');
    expect(copies('BD_MATERIAL', 'MD-MAT-9')).toEqual(['100:C', '101:C', '102:C']);
    const entry = (await sink.service.ledger.get(ledgerId(ACCT, 'BD_MATERIAL', 'MD-MAT-9')))!;
    expect(entry).toMatchObject({ state: 'POSTED', fid: saved.id, allocatedOrgs: ['101', '102'] });
    expect(emulator.callCounts.get('Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Allocate')).toBe(2);
  });
});
