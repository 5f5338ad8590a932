import { CANONICAL_DEFINITIONS } from '@yecai/contracts';
import { BILL_FORM_DECLARATIONS, DOCUMENT_MAPS, FormMapError, compileDocumentMaps, formDeclaration, formsPostedFrom, runDocumentMap, type DocumentMap, type FieldMap } from '..';
import { choose, constant, decimal, entries, optText, ref, text } from './form-map';
import { SALES_OUTSTOCK } from './maps/stock-bills';

/** sales_outstock's map with `fields` in place of its own. */
const salesOutstockWith = (fields: FieldMap[]): DocumentMap => ({ documentType: 'sales_outstock', forms: [{ formId: 'SAL_OUTSTOCK', documentType: 'sales_outstock', fields }] });
const compile = (map: DocumentMap) => () => compileDocumentMaps([map]);

describe('Kingdee form registry and form maps', () => {
  it('every form a map posts to is declared, lists the canonical type, and agrees with the canonical definitions', () => {
    for (const [documentType, map] of DOCUMENT_MAPS) {
      expect(map.forms.map((form) => form.formId)).toEqual(formsPostedFrom(documentType).map((form) => form.formId));
      const definition = CANONICAL_DEFINITIONS.find((candidate) => candidate.documentType === documentType)!;
      expect(definition.kingdeeForms).toEqual(map.forms.map((form) => form.formId));
    }
    expect(formDeclaration('sal_outstock')).toMatchObject({ formId: 'SAL_OUTSTOCK', numberField: 'FBillNo', pkField: 'FID', defaultBillType: 'XSCKD01_SYS', entry: { key: 'FEntity' } });
    expect(formDeclaration('BD_MATERIAL')).toMatchObject({ kind: 'master', numberField: 'FNumber', pkField: 'FMATERIALID', documentTypes: ['material'] });
    expect(new Set(BILL_FORM_DECLARATIONS.map((form) => form.billNoPrefix)).size).toBe(BILL_FORM_DECLARATIONS.length);
  });

  it('refuses a path the canonical schema does not have, naming form, field and path', () => {
    const map = salesOutstockWith([ref('FCustomerID', 'custmer')]);
    expect(compile(map)).toThrow(FormMapError);
    expect(compile(map)).toThrow(/SAL_OUTSTOCK \(sales_outstock\).*FCustomerID.*"custmer" does not exist in sales_outstock/);
    expect(compile(salesOutstockWith([entries('FEntity', 'lines', [ref('FMaterialID', 'lines[].materal')])]))).toThrow(/FEntity\.FMaterialID.*"lines\[\]\.materal" does not exist/);
  });

  it('refuses a transform the canonical type does not fit', () => {
    expect(compile(salesOutstockWith([entries('FEntity', 'lines', [decimal('FMaterialID', 'lines[].material')])]))).toThrow(/FEntity\.FMaterialID.*"lines\[\]\.material" is string, a decimal field needs decimal/);
    expect(compile(salesOutstockWith([entries('FEntity', 'lines', [text('FRealQty', 'lines[].quantity')])]))).toThrow(/FEntity\.FRealQty.*is decimal, a text field needs string or enum/);
    expect(compile(salesOutstockWith([ref('FCustomerID', 'lines')]))).toThrow(/FCustomerID.*"lines" is array/);
  });

  it('refuses a required read of a field the schema lets be null, and a list read outside its entry', () => {
    expect(compile(salesOutstockWith([text('FNote', 'remark')]))).toThrow(/FNote.*"remark" may be null but the field is mapped as required/);
    expect(compile(salesOutstockWith([optText('FNote', 'remark')]))).not.toThrow();
    expect(compile(salesOutstockWith([ref('FCustomerID', 'lines[].material')]))).toThrow(/FCustomerID.*"lines\[\]\.material" reads list lines\[\] outside its entry/);
  });

  it('refuses keys the form does not have and enum translations of symbols the schema does not have', () => {
    expect(compile(salesOutstockWith([ref('FCustId', 'customer')]))).toThrow(/FCustId is not a field of SAL_OUTSTOCK in the form registry/);
    expect(compile(salesOutstockWith([entries('FBillEntry', 'lines', [])]))).toThrow(/FBillEntry is not an entry of SAL_OUTSTOCK/);
    const assembly: DocumentMap = { documentType: 'assembly', forms: [{ formId: 'STK_AssembledApp', documentType: 'assembly', fields: [choose('FAffairType', 'affairType', 'text', { DISASSEMBLE: 'Dassembly' })] }] };
    expect(compile(assembly)).toThrow(/FAffairType.*DISASSEMBLE, not symbols of affairType \(ASSEMBLY, DISASSEMBLY\)/);
    expect(compile({ ...SALES_OUTSTOCK, forms: [{ ...SALES_OUTSTOCK.forms[0]!, formId: 'SAL_OUTSTOCKX' }] })).toThrow(/SAL_OUTSTOCKX.*not in the Kingdee form registry/);
    expect(compile({ documentType: 'sales_return', forms: [{ formId: 'SAL_OUTSTOCK', documentType: 'sales_return', fields: [constant('FNote', 'x')] }] })).toThrow(/does not list sales_return among the types posted to SAL_OUTSTOCK/);
  });

  it('SAL_SaleOrder: a sales order becomes a sales-order Save model with exact decimals and the order number', () => {
    const order = {
      source: { sourceSystem: 'lingxing', account: 'us', documentType: 'order', sourceId: 'AMZ-1', sourceModifiedAt: 1, contentHash: 'h' },
      billNumber: 'AMZ-1',
      date: '2026-12-01',
      saleOrg: '100',
      customer: 'AMAZON-US',
      marketplace: 'Amazon US',
      platformOrderNumber: '113-555',
      status: 'OPEN',
      currency: 'USD',
      currencyNumber: 'PRE007',
      exchangeRate: '7.12',
      remark: null,
      lines: [{ lineId: '1', sku: 'S1', material: 'A1001-BLK', unit: 'Pcs', quantity: '2', taxInclusivePrice: '19.99', amount: '39.98', taxRate: null, taxAmount: null }],
    };
    const options = { billNumberPattern: 'LX-{billNumber}', customFields: { logisticsNumber: 'F_YC_LogisticsNo', onlineOrderNumber: 'F_YC_OnlineOrderNo' } };
    const [draft, ...rest] = runDocumentMap(DOCUMENT_MAPS.get('sales_order')!, order, options);
    expect(rest).toEqual([]);
    expect(draft!.formId).toBe('SAL_SaleOrder');
    expect(JSON.parse(JSON.stringify(draft!.model))).toEqual({
      FID: 0,
      FBillTypeID: { FNumber: 'XSDD01_SYS' },
      FBillNo: 'LX-AMZ-1',
      FDate: '2026-12-01',
      FSaleOrgId: { FNumber: '100' },
      FCustId: { FNumber: 'AMAZON-US' },
      F_YC_OnlineOrderNo: '113-555',
      FSaleOrderFinance: { FSettleCurrId: { FNumber: 'PRE007' }, FIsIncludedTax: true, FExchangeRate: '7.12' },
      FSaleOrderEntry: [{ FMaterialId: { FNumber: 'A1001-BLK' }, FUnitID: { FNumber: 'Pcs' }, FQty: '2', FTaxPrice: '19.99', FDeliveryDate: '2026-12-01' }],
    });
    expect(() => runDocumentMap(DOCUMENT_MAPS.get('sales_order')!, { ...order, lines: [{ ...order.lines[0], taxInclusivePrice: 'n/a' }] }, options)).toThrow(/lines\.0\.taxInclusivePrice/);
  });
});
