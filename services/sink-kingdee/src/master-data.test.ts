import { ValidationError } from '@yecai/common';
import { parseSinkConfig } from './config';
import { allocationTargets, convertMasterData, formsOf } from './master-data';

const kingdee = { serverUrl: 'http://kd.example/k3cloud/', acctId: 'a', userName: 'u', auth: { mode: 'signature', appId: 'x', appSecret: 'env:X' } };

describe('master data conversion and flow config', () => {
  it('a material becomes a BD_MATERIAL model keyed by its number in the create org', () => {
    const draft = convertMasterData('material', { number: 'M-1', name: '物料', createOrg: '100', useOrgs: ['100'], baseUnit: 'Pcs', batchManaged: true, soldOnline: false, specification: null, barcode: '690' });
    expect(draft).toMatchObject({ formId: 'BD_MATERIAL', billNo: 'M-1' });
    expect(draft.model).toMatchObject({ FCreateOrgId: { FNumber: '100' }, FUseOrgId: { FNumber: '100' }, FNumber: 'M-1', FName: '物料', FBarCode: '690', SubHeadEntity: { FBaseUnitId: { FNumber: 'Pcs' } } });
    expect(draft.model).not.toHaveProperty('FSpecification');
    expect(formsOf('supplier')).toEqual(['BD_Supplier']);
  });

  it('a warehouse becomes a BD_STOCK model in its own org, allocated nowhere else unless its use orgs say so', () => {
    const warehouse = { number: 'GZ01', name: '广州仓', createOrg: '101', useOrgs: ['101'], allowNegativeStock: false, enabled: true };
    const draft = convertMasterData('warehouse', warehouse);
    expect(draft).toEqual({
      formId: 'BD_STOCK',
      billNo: 'GZ01',
      model: { FCreateOrgId: { FNumber: '101' }, FUseOrgId: { FNumber: '101' }, FNumber: 'GZ01', FName: '广州仓', FStockProperty: '1', FAllowMinusQty: false },
    });
    expect(formsOf('warehouse')).toEqual(['BD_STOCK']);
    expect(allocationTargets(warehouse, [])).toEqual([]);
    expect(allocationTargets({ ...warehouse, useOrgs: ['101', '100'] }, [])).toEqual(['100']);
    expect(() => convertMasterData('warehouse', { ...warehouse, allowNegativeStock: 'no' })).toThrow(/allowNegativeStock/);
    expect(parseSinkConfig({ kingdee, flows: [{ documentType: 'warehouse' }] }).flows[0]!.documentType).toBe('warehouse');
  });

  it('names the missing canonical field', () => {
    expect(() => convertMasterData('customer', { number: 'C-1', name: '客户', createOrg: '100', useOrgs: [] })).toThrow(ValidationError);
    expect(() => convertMasterData('customer', { number: 'C-1', name: '客户', createOrg: '100', useOrgs: [] })).toThrow(/tradingCurrencyNumber/);
  });

  it('allocates to the flow orgs and the event use orgs, never to the create org', () => {
    expect(allocationTargets({ createOrg: '100', useOrgs: ['100', '103'] }, ['102', '101', '100'])).toEqual(['101', '102', '103']);
  });

  it('refuses allocateToOrgs on a bill flow and un-audited master data, naming the field', () => {
    expect(() => parseSinkConfig({ kingdee, flows: [{ documentType: 'sales_outstock', allocateToOrgs: ['101'] }] })).toThrow(/flows\.0\.allocateToOrgs/);
    expect(() => parseSinkConfig({ kingdee, flows: [{ documentType: 'material', audit: false }] })).toThrow(/flows\.0\.audit/);
    expect(parseSinkConfig({ kingdee, flows: [{ documentType: 'material', allocateToOrgs: ['101', '102'] }] }).flows[0]!.allocateToOrgs).toEqual(['101', '102']);
  });
});
