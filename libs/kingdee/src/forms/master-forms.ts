/** Base-data forms (kingdee-webapi.md §6.3): the four the sink creates and allocates, and the reference data it reads. */
import type { MasterFormDeclaration } from './declaration';
import { fields } from './fields';

const master = { kind: 'master', numberField: 'FNumber' } as const;

export const MASTER_FORMS: MasterFormDeclaration[] = [
  { ...master, formId: 'ORG_Organizations', caption: '组织机构', pkField: 'FOrgID', orgScoped: false, documentTypes: [], fields: fields('FDescription:描述:t'), subHeads: [] },
  {
    ...master,
    formId: 'BD_MATERIAL',
    caption: '物料',
    pkField: 'FMATERIALID',
    orgScoped: true,
    documentTypes: ['material'],
    fields: fields('FSpecification:规格型号:t', 'F_YC_IsOnline:是否网销:b', 'FBarCode:条码:t'),
    subHeads: [
      { key: 'SubHeadEntity', fields: fields('FErpClsID:物料属性:e', 'FBaseUnitId:基本单位:unit') },
      { key: 'SubHeadEntity1', fields: fields('FStoreUnitID:库存单位:unit', 'FIsBatchManage:启用批号管理:b') },
    ],
  },
  { ...master, formId: 'BD_Customer', caption: '客户', pkField: 'FCUSTID', orgScoped: true, documentTypes: ['customer'], fields: fields('FShortName:简称:t', 'FTRADINGCURRID:结算币别:curr', 'FGroup:客户分组:t'), subHeads: [] },
  {
    ...master,
    formId: 'BD_Supplier',
    caption: '供应商',
    pkField: 'FSupplierId',
    orgScoped: true,
    documentTypes: ['supplier'],
    fields: fields('FShortName:简称:t'),
    subHeads: [{ key: 'FFinanceInfo', fields: fields('FPayCurrencyId:结算币别:curr') }],
  },
  { ...master, formId: 'BD_STOCK', caption: '仓库', pkField: 'FStockId', orgScoped: true, documentTypes: ['warehouse'], fields: fields('FAllowMinusQty:允许负库存:b', 'FStockProperty:仓库属性:e'), subHeads: [] },
  { ...master, formId: 'BD_UNIT', caption: '计量单位', pkField: 'FUNITID', orgScoped: false, documentTypes: [], fields: [], subHeads: [] },
  { ...master, formId: 'BD_Currency', caption: '币别', pkField: 'FCURRENCYID', orgScoped: false, documentTypes: [], fields: fields('FCode:货币代码:t'), subHeads: [] },
];
