/**
 * Form maps of the stock bills (canonical definitions: libs/contracts/src/definitions.ts; field keys: the registry).
 * Owner fields are written only with an owner; a missing warehouse is left out so Kingdee answers 仓库字段必录,
 * which parks the bill with Kingdee's own words.
 */
import { ValidationError } from '@yecai/common';
import { bool, choose, constant, decimal, entries, object, optDecimal, optRef, optText, ref, text, type DocumentMap, type FieldMap } from '../form-map';

/** 货主 on the header: owner type and owner, only when the event names an owner. */
const ownerHead = [constant('FOwnerTypeIdHead', 'BD_OwnerOrg', 'owner'), optRef('FOwnerIdHead', 'owner')];
/** 货主 on every line (the form's own key spelling). */
const lineOwner = (typeKey: string, ownerKey: string) => [constant(typeKey, 'BD_OwnerOrg', 'owner'), optRef(ownerKey, 'owner')];
const stockAndLot = (list: string, stockKey: string, lotKey: string) => [optRef(stockKey, `${list}[].warehouse`), optRef(lotKey, `${list}[].batch`)];
const priced = (taxPriceKey: string, priceKey: string, rateKey: string) => [
  optDecimal(taxPriceKey, 'lines[].taxInclusivePrice'),
  optDecimal(priceKey, 'lines[].price'),
  optDecimal(rateKey, 'lines[].taxRate'),
];
const item = (materialKey: string) => [ref(materialKey, 'lines[].material'), ref('FUnitID', 'lines[].unit')];

export const SALES_OUTSTOCK: DocumentMap = {
  documentType: 'sales_outstock',
  forms: [
    {
      formId: 'SAL_OUTSTOCK',
      documentType: 'sales_outstock',
      fields: [
        ref('FSaleOrgId', 'saleOrg'),
        ref('FStockOrgId', 'deliveryOrg'),
        ref('FCustomerID', 'customer'),
        ...ownerHead,
        optText('FNote', 'remark'),
        optText('F_YC_LogisticsNo', 'logisticsNumber', { customKey: 'logisticsNumber' }),
        optText('F_YC_OnlineOrderNo', 'onlineOrderNumber', { customKey: 'onlineOrderNumber' }),
        object('SubHeadEntity', [
          ref('FSettleCurrID', 'currencyNumber'),
          ref('FSettleOrgID', 'settleOrg', { or: 'saleOrg' }),
          constant('FIsIncludedTax', true),
          optDecimal('FExchangeRate', 'exchangeRate'),
          text('FThirdBillNo', 'source.sourceId'),
        ]),
        entries('FEntity', 'lines', [
          ...item('FMaterialID'),
          decimal('FMustQty', 'lines[].quantity'),
          decimal('FRealQty', 'lines[].quantity'),
          ...priced('FTaxPrice', 'FPrice', 'FEntryTaxRate'),
          bool('FIsFree', 'lines[].isGift'),
          ...stockAndLot('lines', 'FStockID', 'FLot'),
          ...lineOwner('FOwnerTypeID', 'FOwnerID'),
          optText('FEntrynote', 'lines[].note'),
        ]),
      ],
    },
  ],
};

export const SALES_RETURN: DocumentMap = {
  documentType: 'sales_return',
  forms: [
    {
      formId: 'SAL_RETURNSTOCK',
      documentType: 'sales_return',
      fields: [
        ref('FSaleOrgId', 'saleOrg'),
        ref('FStockOrgId', 'stockOrg'),
        ref('FRetcustId', 'customer'),
        ...ownerHead,
        optText('FReturnReason', 'returnReason'),
        optText('FHeadNote', 'remark'),
        optText('F_YC_OnlineOrderNo', 'onlineOrderNumber', { customKey: 'onlineOrderNumber' }),
        object('SubHeadEntity', [ref('FSettleCurrId', 'currencyNumber'), ref('FSettleOrgId', 'settleOrg'), optDecimal('FExchangeRate', 'exchangeRate'), text('FThirdBillNo', 'source.sourceId')]),
        entries('FEntity', 'lines', [
          ...item('FMaterialId'),
          decimal('FRealQty', 'lines[].quantity'),
          ...priced('FTaxPrice', 'FPrice', 'FEntryTaxRate'),
          bool('FIsFree', 'lines[].isGift'),
          ...stockAndLot('lines', 'FStockId', 'FLot'),
          ...lineOwner('FOwnerTypeId', 'FOwnerId'),
        ]),
      ],
    },
  ],
};

export const PURCHASE_INSTOCK: DocumentMap = {
  documentType: 'purchase_instock',
  forms: [
    {
      formId: 'STK_InStock',
      documentType: 'purchase_instock',
      fields: [
        ref('FStockOrgId', 'stockOrg'),
        ref('FPurchaseOrgId', 'purchaseOrg'),
        ref('FSupplierId', 'supplier'),
        ...ownerHead,
        object('FInStockFin', [
          ref('FSettleOrgId', 'settleOrg'),
          ref('FSettleCurrId', 'currencyNumber'),
          constant('FIsIncludedTax', true),
          optDecimal('FExchangeRate', 'exchangeRate'),
          text('FTHIRDBILLNO', 'source.sourceId'),
        ]),
        entries('FInStockEntry', 'lines', [
          constant('FRowType', 'Standard'),
          ...item('FMaterialId'),
          decimal('FRealQty', 'lines[].quantity'),
          ref('FPriceUnitID', 'lines[].unit'),
          ...priced('FTaxPrice', 'FPrice', 'FEntryTaxRate'),
          bool('FGiveAway', 'lines[].isGift'),
          ...stockAndLot('lines', 'FStockId', 'FLot'),
          ...lineOwner('FOWNERTYPEID', 'FOWNERID'),
          optText('FPOOrderNo', 'purchaseOrderNumber'),
          optText('FNote', 'lines[].note'),
        ]),
      ],
    },
  ],
};

export const PURCHASE_RETURN: DocumentMap = {
  documentType: 'purchase_return',
  forms: [
    {
      formId: 'PUR_MRB',
      documentType: 'purchase_return',
      fields: [
        ref('FStockOrgId', 'stockOrg'),
        ref('FPurchaseOrgId', 'purchaseOrg'),
        ref('FSupplierID', 'supplier'),
        ...ownerHead,
        object('FPURMRBFIN', [ref('FSettleCurrId', 'currencyNumber'), ref('FSettleOrgId', 'settleOrg'), text('FTHIRDBILLNO', 'source.sourceId')]),
        entries('FPURMRBENTRY', 'lines', [
          ...item('FMATERIALID'),
          decimal('FRMREALQTY', 'lines[].quantity'),
          ...priced('FTAXPRICE', 'FPrice', 'FENTRYTAXRATE'),
          bool('FGIVEAWAY', 'lines[].isGift'),
          ...stockAndLot('lines', 'FStockId', 'FLot'),
          ...lineOwner('FOWNERTYPEID', 'FOWNERID'),
          optText('FNOTE', 'lines[].note'),
        ]),
      ],
    },
  ],
};

export const OTHER_INSTOCK: DocumentMap = {
  documentType: 'other_instock',
  forms: [
    {
      formId: 'STK_MISCELLANEOUS',
      documentType: 'other_instock',
      fields: [
        ref('FStockOrgId', 'stockOrg'),
        text('FStockDirect', 'stockDirection'),
        optRef('FSUPPLIERID', 'supplier'),
        optRef('FDEPTID', 'department'),
        ...ownerHead,
        optText('FNOTE', 'remark'),
        entries('FEntity', 'lines', [
          ...item('FMATERIALID'),
          decimal('FQty', 'lines[].quantity'),
          ...stockAndLot('lines', 'FSTOCKID', 'FLOT'),
          ...lineOwner('FOWNERTYPEID', 'FOWNERID'),
          optDecimal('FPRICE', 'lines[].price'),
          optDecimal('FAmount', 'lines[].amount'),
          optText('FEntryNOTE', 'lines[].note'),
        ]),
      ],
    },
  ],
};

export const OTHER_OUTSTOCK: DocumentMap = {
  documentType: 'other_outstock',
  forms: [
    {
      formId: 'STK_MisDelivery',
      documentType: 'other_outstock',
      fields: [
        ref('FStockOrgId', 'stockOrg'),
        ref('FPickOrgId', 'stockOrg'),
        constant('FStockDirect', 'GENERAL'),
        optRef('FCustId', 'customer'),
        optRef('FDeptId', 'department'),
        ...ownerHead,
        optText('FNote', 'remark'),
        entries('FEntity', 'lines', [
          ...item('FMaterialId'),
          decimal('FQty', 'lines[].quantity'),
          ...stockAndLot('lines', 'FStockId', 'FLot'),
          ...lineOwner('FOwnerTypeId', 'FOwnerId'),
          optText('FEntryNote', 'lines[].note'),
        ]),
      ],
    },
  ],
};

/** Both sides of a transfer on one bill: 调出 (out org, owner, warehouse, lot) and 调入 (in org, owner, warehouse, lot). */
export const TRANSFER: DocumentMap = {
  documentType: 'transfer',
  forms: [
    {
      formId: 'STK_TransferDirect',
      documentType: 'transfer',
      fields: [
        constant('FBizType', 'NORMAL'),
        constant('FTransferDirect', 'GENERAL'),
        choose('FTransferBizType', 'crossOrg', 'bool', { true: 'OverOrgTransfer', false: 'InnerOrgTransfer' }),
        ref('FStockOutOrgId', 'outStockOrg'),
        constant('FOwnerTypeOutIdHead', 'BD_OwnerOrg'),
        ref('FOwnerOutIdHead', 'outOwner'),
        ref('FStockOrgId', 'inStockOrg'),
        constant('FOwnerTypeIdHead', 'BD_OwnerOrg'),
        ref('FOwnerIdHead', 'inOwner'),
        text('FThirdSrcBillNo', 'source.sourceId'),
        optText('FNote', 'remark'),
        entries('FBillEntry', 'lines', [
          ...item('FMaterialId'),
          decimal('FQty', 'lines[].quantity'),
          ref('FSrcStockId', 'lines[].sourceWarehouse'),
          ref('FDestStockId', 'lines[].destWarehouse'),
          optRef('FLot', 'lines[].batch'),
          optRef('FDestLot', 'lines[].destBatch', { or: 'lines[].batch' }),
          constant('FOwnerTypeOutId', 'BD_OwnerOrg'),
          ref('FOwnerOutId', 'outOwner'),
          constant('FOwnerTypeId', 'BD_OwnerOrg'),
          ref('FOwnerId', 'inOwner'),
        ]),
      ],
    },
  ],
};

/** A stock count splits by line direction: GAIN lines make the 盘盈单, LOSS lines the 盘亏单, both with the same number. */
const stockCountSide = (formId: string, direction: 'GAIN' | 'LOSS', qtyKey: string) => ({
  formId,
  documentType: 'stock_count',
  omitWhenNoLines: true,
  fields: [
    ref('FStockOrgId', 'stockOrg'),
    ...ownerHead,
    optText('FNoteHead', 'remark'),
    entries(
      'FBillEntry',
      'lines',
      [
        ...item('FMaterialId'),
        ...stockAndLot('lines', 'FStockId', 'FLot'),
        decimal(qtyKey, 'lines[].quantity'),
        optDecimal('FCountQty', 'lines[].countedQuantity'),
        ...lineOwner('FOwnerTypeId', 'FOwnerId'),
        optText('FNote', 'lines[].note'),
      ] as FieldMap[],
      { path: 'lines[].direction', equals: direction },
    ),
  ],
});

export const STOCK_COUNT: DocumentMap = {
  documentType: 'stock_count',
  forms: [stockCountSide('STK_StockCountGain', 'GAIN', 'FGainQty'), stockCountSide('STK_StockCountLoss', 'LOSS', 'FLossQty')],
  check(drafts) {
    if (drafts.length === 0) throw new ValidationError('lines: a stock count needs at least one GAIN or LOSS line', 'lines');
  },
};

/** Finished products on the entry, each with its components on the sub-entry (组装: products in, components out). */
export const ASSEMBLY: DocumentMap = {
  documentType: 'assembly',
  forms: [
    {
      formId: 'STK_AssembledApp',
      documentType: 'assembly',
      fields: [
        ref('FStockOrgId', 'stockOrg'),
        choose('FAffairType', 'affairType', 'text', { DISASSEMBLY: 'Dassembly' }, 'Assembly'),
        optText('FNote', 'remark'),
        entries('FEntity', 'products', [
          ref('FMaterialID', 'products[].material'),
          ref('FUnitID', 'products[].unit'),
          decimal('FQty', 'products[].quantity'),
          ...stockAndLot('products', 'FStockID', 'FLot'),
          entries('FSubEntity', 'products[].components', [
            ref('FMaterialIDSETY', 'products[].components[].material'),
            ref('FUnitIDSETY', 'products[].components[].unit'),
            decimal('FQtySETY', 'products[].components[].quantity'),
            ...stockAndLot('products[].components', 'FStockIDSETY', 'FLotSETY'),
            optDecimal('FCostProportion', 'products[].components[].costProportion'),
          ]),
        ]),
      ],
    },
  ],
};

export const STOCK_BILL_MAPS = [SALES_OUTSTOCK, SALES_RETURN, PURCHASE_INSTOCK, PURCHASE_RETURN, OTHER_INSTOCK, OTHER_OUTSTOCK, TRANSFER, STOCK_COUNT, ASSEMBLY];
