/**
 * Master data → the YonSuite saves, field by field (yonyou-api.md §3.5.9): code = the canonical number, names in
 * each API's multilingual shape, the create org, units, classes from the flow; the orgs to assign; and the start-up
 * checks naming the field.
 */
import { ValidationError } from '@yecai/common';
import { parseSinkConfig } from './config';
import { FORM_OF } from './form-maps';
import { assignTargets, masterModel } from './master-data-map';

const head = { source: { sourceId: 'X' }, createOrg: '100', useOrgs: ['100'], enabled: true };
const material = {
  ...head,
  number: 'SKU-1',
  name: '运动袜',
  barcode: null,
  specification: 'M',
  baseUnit: 'Pcs',
  batchManaged: false,
  soldOnline: true,
};
const customer = { ...head, number: 'SHOP-1', name: '抖音小店', tradingCurrencyNumber: 'PRE001', group: null };
const supplier = { ...head, number: 'V-1', name: '顺丰', payCurrencyNumber: 'PRE001', role: 'LOGISTICS' };
const warehouse = { ...head, number: 'CK-9', name: '退货仓', allowNegativeStock: false };

function flow(documentType: string, extra: Record<string, unknown> = {}) {
  return parseSinkConfig({ yonyou: {}, flows: [{ documentType, ...extra }] }, 'test').flows[0]!;
}

describe('YonSuite master-data maps', () => {
  it('物料 → product/idempotent/save: code, name.simplifiedName, orgCode, the flow’s class, units, 实物', () => {
    expect(masterModel('material', material, flow('material', { classCode: 'WL01' }))).toEqual({
      code: 'SKU-1',
      name: { simplifiedName: '运动袜' },
      orgCode: '100',
      manageClassCode: 'WL01',
      realProductAttribute: 1,
      unitCode: 'Pcs',
      detail: { purchaseUnitCode: 'Pcs', stockUnitCode: 'Pcs', businessAttribute: '1,7' },
    });
  });

  it('客户 → merchant/idempotent/newinsert: name.simplifiedName, createOrgCode; the event’s 分组 before the flow’s class', () => {
    expect(masterModel('customer', customer, flow('customer'))).toEqual({
      code: 'SHOP-1',
      name: { simplifiedName: '抖音小店' },
      createOrgCode: '100',
    });
    expect(masterModel('customer', customer, flow('customer', { classCode: 'KH01' })).customerClassCode).toBe('KH01');
    expect(
      masterModel('customer', { ...customer, group: 'KH02' }, flow('customer', { classCode: 'KH01' })),
    ).toMatchObject({
      customerClassCode: 'KH02',
    });
  });

  it('供应商 → vendor/batchSaveV2 row: _status InsertUpdate, name.zh_CN, org_code, vendorclass_code', () => {
    expect(masterModel('supplier', supplier, flow('supplier', { classCode: 'GYS01' }))).toEqual({
      _status: 'InsertUpdate',
      code: 'V-1',
      name: { zh_CN: '顺丰' },
      org_code: '100',
      vendorclass_code: 'GYS01',
    });
  });

  it('仓库 → warehouse/batchSave row: name.zh_CN, org___code', () => {
    expect(masterModel('warehouse', warehouse, flow('warehouse'))).toEqual({
      code: 'CK-9',
      name: { zh_CN: '退货仓' },
      org___code: '100',
    });
  });

  it('a missing number, name, org or unit is refused naming the field', () => {
    const material1 = flow('material', { classCode: 'WL01' });
    for (const field of ['number', 'name', 'createOrg', 'baseUnit']) {
      const attempt = () => masterModel('material', { ...material, [field]: '' }, material1);
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(new RegExp(`^${field}: `));
    }
  });

  it('assigns to the flow’s orgs and the event’s use orgs, once each, never the create org; 仓库 never', () => {
    const assigning = flow('material', { classCode: 'WL01', assignToOrgs: ['102', '101', '100'] });
    expect(assignTargets('material', { ...material, useOrgs: ['100', '103', '101'] }, assigning)).toEqual([
      '101',
      '102',
      '103',
    ]);
    expect(assignTargets('warehouse', { ...warehouse, useOrgs: ['101'] }, flow('warehouse'))).toEqual([]);
  });

  it('master forms are saved, never audited (no batchaudit on an archive)', () => {
    expect(
      [FORM_OF.material, FORM_OF.customer, FORM_OF.supplier, FORM_OF.warehouse].map((form) => form.formId),
    ).toEqual(['product', 'merchant', 'vendor', 'warehouse']);
    expect(FORM_OF.material.batchActions).toBe(false);
  });

  it.each([
    [{ documentType: 'material' }, 'flows.0.classCode', /物料分类/],
    [{ documentType: 'supplier' }, 'flows.0.classCode', /供应商分类/],
    [{ documentType: 'warehouse', assignToOrgs: ['101'] }, 'flows.0.assignToOrgs', /没有分配接口/],
    [{ documentType: 'sales_outstock', assignToOrgs: ['101'] }, 'flows.0.assignToOrgs', /master-data flows/],
    [{ documentType: 'sales_outstock', classCode: 'WL01' }, 'flows.0.classCode', /not sales_outstock/],
  ])('start-up refuses %j at %s', (flowInput, path, message) => {
    const attempt = () => parseSinkConfig({ yonyou: {}, flows: [flowInput] }, 'test');
    expect(attempt).toThrow(path);
    expect(attempt).toThrow(message);
  });
});
