/**
 * Form maps of base data (kingdee-webapi.md §6.3): created in the create org (FCreateOrgId = FUseOrgId), then
 * allocated to use orgs; FNumber is the ledger key, like FBillNo for bills.
 */
import { bool, constant, object, optRef, optText, ref, text, type DocumentMap, type FieldMap } from '../form-map';

const head: FieldMap[] = [ref('FCreateOrgId', 'createOrg'), ref('FUseOrgId', 'createOrg'), text('FNumber', 'number'), text('FName', 'name')];
const single = (documentType: string, formId: string, fields: FieldMap[]): DocumentMap => ({ documentType, forms: [{ formId, documentType, fields: [...head, ...fields] }] });

export const MASTER_DATA_MAPS: DocumentMap[] = [
  single('material', 'BD_MATERIAL', [
    optText('FSpecification', 'specification'),
    optText('FBarCode', 'barcode'),
    bool('F_YC_IsOnline', 'soldOnline'),
    // 基本 and 库存 sub-headers: 物料属性 1 = 外购, base unit, batch management.
    object('SubHeadEntity', [constant('FErpClsID', '1'), ref('FBaseUnitId', 'baseUnit')]),
    object('SubHeadEntity1', [ref('FStoreUnitID', 'baseUnit'), bool('FIsBatchManage', 'batchManaged')]),
  ]),
  single('customer', 'BD_Customer', [ref('FTRADINGCURRID', 'tradingCurrencyNumber'), optRef('FGroup', 'group')]),
  single('supplier', 'BD_Supplier', [object('FFinanceInfo', [ref('FPayCurrencyId', 'payCurrencyNumber')])]),
  // 仓库属性 1 = 普通仓库; the warehouse's own org is its create and use org.
  single('warehouse', 'BD_STOCK', [constant('FStockProperty', '1'), bool('FAllowMinusQty', 'allowNegativeStock')]),
];
