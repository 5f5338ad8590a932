/**
 * The emulator's master-data APIs: each save refuses a missing required field or an unknown org / unit / class naming
 * it in Chinese (物料 and 仓库 as `999`, 客户 as `code 0`, 供应商 inside `code 200` with failCount), a save twice is
 * one record (upsert by code), assignment adds orgs once (an org already assigned is no error), the read-back by code
 * shows the assigned orgs, and a saved record becomes a reference documents resolve.
 */
import { MasterDataStore, YonyouState } from '../src';

const BASE = '/yonbip/digitalModel';
function emulator() {
  const state = new YonyouState({
    org: [
      ['100', '总部'],
      ['101', '华东'],
      ['102', '华南'],
    ],
    customer: [],
    vendor: [],
    product: [],
    warehouse: [],
    currency: [['CNY', '人民币']],
    unit: [['Pcs', '件']],
    bustype: [['A30001', '普通销售出库']],
    settlemode: [],
    bankaccount: [],
  });
  const store = new MasterDataStore(state);
  const routes = new Map(store.routes().map((route) => [route.path, route]));
  const call = (path: string, body: Record<string, unknown>) => routes.get(`${BASE}/${path}`)!.handle(body);
  return { state, store, call };
}

const product = (overrides: Record<string, unknown> = {}) => ({
  code: 'NEW-SKU-1',
  name: { simplifiedName: '新物料' },
  orgCode: '100',
  manageClassCode: 'WL01',
  realProductAttribute: 1,
  unitCode: 'Pcs',
  detail: { purchaseUnitCode: 'Pcs', stockUnitCode: 'Pcs', businessAttribute: '1,7' },
  ...overrides,
});

describe('the emulator’s master data', () => {
  it.each([
    [{ code: '' }, '保存失败：物料编码(code)不能为空'],
    [{ name: { zh_CN: '新物料' } }, '保存失败：物料名称(name.simplifiedName)不能为空'],
    [{ orgCode: '999' }, '保存失败：管理组织(orgCode)[999]不存在'],
    [{ manageClassCode: undefined }, '保存失败：物料分类(manageClassCode)不能为空'],
    [{ manageClassCode: 'NOPE' }, '保存失败：物料分类(manageClassCode)[NOPE]不存在'],
    [{ unitCode: 'Box' }, '保存失败：主计量单位(unitCode)[Box]不存在'],
    [{ detail: { stockUnitCode: 'Box' } }, '保存失败：库存单位(detail.stockUnitCode)[Box]不存在'],
  ])('物料 save %j is refused: %s', (overrides, message) => {
    const { call, store } = emulator();
    expect(call('product/idempotent/save', { data: product(overrides) })).toEqual({ code: '999', message });
    expect(store.all('product')).toEqual([]);
  });

  it('物料 saved twice is one record (upsert by code, the new name wins) and documents then resolve it', () => {
    const { call, store, state } = emulator();
    const first = call('product/idempotent/save', { data: product() });
    const second = call('product/idempotent/save', { data: product({ name: { simplifiedName: '新物料 v2' } }) });
    expect(first).toMatchObject({ code: '200', data: { code: 'NEW-SKU-1' } });
    expect((second.data as { id: bigint }).id).toBe((first.data as { id: bigint }).id);
    expect(store.all('product').map((one) => [one.code, one.name])).toEqual([['NEW-SKU-1', '新物料 v2']]);
    expect(state.resolve('product', 'NEW-SKU-1')?.id).toBe((first.data as { id: bigint }).id);
  });

  it('客户 refusals answer code 0 with the message; the success answers data as an array', () => {
    const { call, state } = emulator();
    const customer = { code: 'SHOP-9', name: { simplifiedName: '抖音小店' }, createOrgCode: '100' };
    expect(call('merchant/idempotent/newinsert', { data: { ...customer, name: {} } })).toEqual({
      code: 0,
      message: '客户名称不能为空',
      data: null,
    });
    expect(call('merchant/idempotent/newinsert', { data: { ...customer, customerClassCode: 'KH99' } })).toEqual({
      code: 0,
      message: '客户分类(customerClassCode)[KH99]不存在',
      data: null,
    });
    const saved = call('merchant/idempotent/newinsert', { data: customer });
    expect(saved).toMatchObject({ code: '200', success: true, data: [{ code: 'SHOP-9' }] });
    expect(state.resolve('customer', 'SHOP-9')).toBeDefined();
  });

  it('供应商 batchSaveV2: a refused row stays inside code 200 (failCount, messages); InsertUpdate twice is one record', () => {
    const { call, store } = emulator();
    const vendor = {
      _status: 'InsertUpdate',
      code: 'V-9',
      name: { zh_CN: '物流商' },
      org_code: '100',
      vendorclass_code: 'GYS01',
    };
    const answer = call('vendor/batchSaveV2', {
      data: [
        vendor,
        { ...vendor, code: 'V-10', vendorclass_code: 'NOPE' },
        { ...vendor, code: 'V-11', name: { simplifiedName: 'x' } },
      ],
    });
    expect(answer).toMatchObject({
      code: '200',
      data: {
        count: 3,
        sucessCount: 1,
        failCount: 2,
        messages: ['第2行：供应商分类(vendorclass_code)[NOPE]不存在', '第3行：供应商名称(name.zh_CN)不能为空'],
      },
    });
    call('vendor/batchSaveV2', { data: [{ ...vendor, name: { zh_CN: '物流商二' } }] });
    expect(store.all('vendor').map((one) => [one.code, one.name])).toEqual([['V-9', '物流商二']]);
    expect(call('vendor/batchSaveV2', { data: [{ ...vendor, _status: 'Insert' }] })).toMatchObject({
      data: { failCount: 1, messages: ['第1行：供应商编码[V-9]已存在'] },
    });
  });

  it('仓库 batchSave matches by code and adds the unmatched; an unknown org is refused in the row', () => {
    const { call, store } = emulator();
    const warehouse = { code: 'CK-9', name: { zh_CN: '新仓' }, org___code: '100' };
    expect(call('warehouse/batchSave', { matchRule: 'code', data: [warehouse] })).toMatchObject({
      data: { failCount: 1, messages: ['第1行：仓库[CK-9]不存在，且未匹配策略(unmatchedStrategy)不是add'] },
    });
    call('warehouse/batchSave', { matchRule: 'code', unmatchedStrategy: 'add', data: [warehouse] });
    call('warehouse/batchSave', { matchRule: 'code', unmatchedStrategy: 'add', data: [warehouse] });
    expect(store.all('warehouse')).toHaveLength(1);
    expect(
      call('warehouse/batchSave', {
        matchRule: 'code',
        unmatchedStrategy: 'add',
        data: [{ ...warehouse, org___code: '7' }],
      }),
    ).toMatchObject({ data: { failCount: 1, messages: ['第1行：库存组织(org___code)[7]不存在'] } });
  });

  it('assignOrg adds orgs once, an org already assigned is no error, unknown orgs and a wrong create org are refused; the read-back shows them', () => {
    const { call, store } = emulator();
    const id = (call('product/idempotent/save', { data: product() }).data as { id: bigint }).id.toString();
    const assign = (orgIds: string[], createOrgId = '100') =>
      call('product/assignOrg', { data: [{ productId: id, orgIds, createOrgId }] });
    expect(assign(['101'])).toMatchObject({ code: '200', data: { failCount: 0 } });
    expect(assign(['101', '102'])).toMatchObject({ code: '200', data: { failCount: 0 } });
    expect(assign(['101', '102'])).toMatchObject({ code: '200', data: { failCount: 0 } });
    expect(assign(['777'])).toMatchObject({ data: { failCount: 1, messages: ['组织[777]不存在'] } });
    expect(assign(['101'], '102')).toMatchObject({
      data: { failCount: 1, messages: ['创建组织(createOrgId)[102]与档案的管理组织[100]不一致'] },
    });
    const record = store.get('product', 'NEW-SKU-1')!;
    expect([record.assignedOrgs, record.assignCalls]).toEqual([['101', '102'], 2]);
    expect(call('product/listproductbycondition', { code: 'NEW-SKU-1' })).toMatchObject({
      data: { recordCount: 1, recordList: [{ code: 'NEW-SKU-1', orgCode: '100', assignedOrgCodes: ['101', '102'] }] },
    });
    // The customer list answers a bare array.
    expect(call('merchant/newlist', { code: 'NONE' })).toMatchObject({ code: '200', data: [] });
  });
});
