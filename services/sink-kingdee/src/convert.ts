/**
 * Canonical document → Kingdee Save model(s) of its form (field keys: kingdee-webapi.md §6.2).
 * Input is the canonical event as plain JSON (decimals as strings, as stored in the ledger); output models hold
 * decimal.js values, which the Kingdee client writes as exact JSON numbers.
 */
import { Decimal, ValidationError, toDecimal } from '@yecai/common';
import { renderBillNumber, sourceIdentity, type CanonicalJson } from '@yecai/sink-kit';

export const SUPPORTED_DOCUMENT_TYPES = [
  'sales_outstock',
  'sales_return',
  'purchase_instock',
  'purchase_return',
  'other_instock',
  'other_outstock',
  'transfer',
  'stock_count',
  'assembly',
] as const;
export type SupportedDocumentType = (typeof SUPPORTED_DOCUMENT_TYPES)[number];

/** Kingdee forms each canonical type is written to. */
export const FORMS_OF: Record<SupportedDocumentType, string[]> = {
  sales_outstock: ['SAL_OUTSTOCK'],
  sales_return: ['SAL_RETURNSTOCK'],
  purchase_instock: ['STK_InStock'],
  purchase_return: ['PUR_MRB'],
  other_instock: ['STK_MISCELLANEOUS'],
  other_outstock: ['STK_MisDelivery'],
  transfer: ['STK_TransferDirect'],
  stock_count: ['STK_StockCountGain', 'STK_StockCountLoss'],
  assembly: ['STK_AssembledApp'],
};

const DEFAULT_BILL_TYPES: Record<string, string> = {
  SAL_OUTSTOCK: 'XSCKD01_SYS',
  SAL_RETURNSTOCK: 'XSTHD01_SYS',
  STK_InStock: 'RKD01_SYS',
  PUR_MRB: 'TLD01_SYS',
  STK_MISCELLANEOUS: 'QTRKD01_SYS',
  STK_MisDelivery: 'QTCKD01_SYS',
  STK_TransferDirect: 'ZJDB01_SYS',
  STK_StockCountGain: 'PY01_SYS',
  STK_StockCountLoss: 'PK01_SYS',
  STK_AssembledApp: 'ZZCX01_SYS',
};

export interface ConvertOptions {
  billNumberPattern: string;
  billType?: string | undefined;
  customFields: { logisticsNumber: string; onlineOrderNumber: string };
}

/** One Kingdee bill to write for a canonical document. */
export interface BillDraft {
  formId: string;
  billNo: string;
  model: Record<string, unknown>;
}

// What every target reads of a canonical event lives in the posting kit (one place for all targets).
export { isStaleVersion, renderBillNumber, sourceIdentity, type CanonicalJson, type SourceIdentity } from '@yecai/sink-kit';

/** The bill(s) a canonical document becomes. Throws ValidationError naming the field when the event is unusable. */
export function convertDocument(documentType: SupportedDocumentType, document: CanonicalJson, options: ConvertOptions): BillDraft[] {
  const billNo = renderBillNumber(options.billNumberPattern, document);
  const source = sourceIdentity(document);
  const head = (formId: string) => ({
    FID: 0,
    FBillTypeID: { FNumber: options.billType ?? DEFAULT_BILL_TYPES[formId] },
    FBillNo: billNo,
    FDate: str(document, 'date'),
  });
  const draft = (formId: string, model: Record<string, unknown>): BillDraft => ({ formId, billNo, model: { ...head(formId), ...model } });
  const lines = (key = 'lines') => arr(document, key);
  const owner = optStr(document, 'owner');
  const ownerHead = owner ? { FOwnerTypeIdHead: 'BD_OwnerOrg', FOwnerIdHead: ref(owner) } : {};

  switch (documentType) {
    case 'sales_outstock': {
      const custom = options.customFields;
      return [
        draft('SAL_OUTSTOCK', {
          FSaleOrgId: ref(str(document, 'saleOrg')),
          FStockOrgId: ref(str(document, 'deliveryOrg')),
          FCustomerID: ref(str(document, 'customer')),
          ...ownerHead,
          ...optional('FNote', optStr(document, 'remark')),
          ...optional(custom.logisticsNumber, optStr(document, 'logisticsNumber')),
          ...optional(custom.onlineOrderNumber, optStr(document, 'onlineOrderNumber')),
          SubHeadEntity: {
            FSettleCurrID: ref(str(document, 'currencyNumber')),
            FSettleOrgID: ref(optStr(document, 'settleOrg') ?? str(document, 'saleOrg')),
            FIsIncludedTax: true,
            ...optional('FExchangeRate', optDec(document, 'exchangeRate')),
            FThirdBillNo: source.sourceId,
          },
          FEntity: lines().map((line, i) => {
            const at = `lines.${i}.`;
            const qty = dec(line, 'quantity', at);
            return {
              FMaterialID: ref(str(line, 'material', at)),
              FUnitID: ref(str(line, 'unit', at)),
              FMustQty: qty,
              FRealQty: qty,
              ...priced(line, at, 'FTaxPrice', 'FPrice', 'FEntryTaxRate'),
              FIsFree: bool(line, 'isGift', at),
              ...stockAndLot(line, 'FStockID', 'FLot'),
              ...(owner ? { FOwnerTypeID: 'BD_OwnerOrg', FOwnerID: ref(owner) } : {}),
              ...optional('FEntrynote', optStr(line, 'note')),
            };
          }),
        }),
      ];
    }
    case 'sales_return':
      return [
        draft('SAL_RETURNSTOCK', {
          FSaleOrgId: ref(str(document, 'saleOrg')),
          FStockOrgId: ref(str(document, 'stockOrg')),
          FRetcustId: ref(str(document, 'customer')),
          ...ownerHead,
          ...optional('FReturnReason', optStr(document, 'returnReason')),
          ...optional('FHeadNote', optStr(document, 'remark')),
          ...optional(options.customFields.onlineOrderNumber, optStr(document, 'onlineOrderNumber')),
          SubHeadEntity: {
            FSettleCurrId: ref(str(document, 'currencyNumber')),
            FSettleOrgId: ref(str(document, 'settleOrg')),
            ...optional('FExchangeRate', optDec(document, 'exchangeRate')),
            FThirdBillNo: source.sourceId,
          },
          FEntity: lines().map((line, i) => {
            const at = `lines.${i}.`;
            return {
              FMaterialId: ref(str(line, 'material', at)),
              FUnitID: ref(str(line, 'unit', at)),
              FRealQty: dec(line, 'quantity', at),
              ...priced(line, at, 'FTaxPrice', 'FPrice', 'FEntryTaxRate'),
              FIsFree: bool(line, 'isGift', at),
              ...stockAndLot(line, 'FStockId', 'FLot'),
              ...(owner ? { FOwnerTypeId: 'BD_OwnerOrg', FOwnerId: ref(owner) } : {}),
            };
          }),
        }),
      ];
    case 'purchase_instock':
      return [
        draft('STK_InStock', {
          FStockOrgId: ref(str(document, 'stockOrg')),
          FPurchaseOrgId: ref(str(document, 'purchaseOrg')),
          FSupplierId: ref(str(document, 'supplier')),
          ...ownerHead,
          FInStockFin: {
            FSettleOrgId: ref(str(document, 'settleOrg')),
            FSettleCurrId: ref(str(document, 'currencyNumber')),
            FIsIncludedTax: true,
            ...optional('FExchangeRate', optDec(document, 'exchangeRate')),
            FTHIRDBILLNO: source.sourceId,
          },
          FInStockEntry: lines().map((line, i) => {
            const at = `lines.${i}.`;
            return {
              FRowType: 'Standard',
              FMaterialId: ref(str(line, 'material', at)),
              FUnitID: ref(str(line, 'unit', at)),
              FRealQty: dec(line, 'quantity', at),
              FPriceUnitID: ref(str(line, 'unit', at)),
              ...priced(line, at, 'FTaxPrice', 'FPrice', 'FEntryTaxRate'),
              FGiveAway: bool(line, 'isGift', at),
              ...stockAndLot(line, 'FStockId', 'FLot'),
              ...(owner ? { FOWNERTYPEID: 'BD_OwnerOrg', FOWNERID: ref(owner) } : {}),
              ...optional('FPOOrderNo', optStr(document, 'purchaseOrderNumber')),
              ...optional('FNote', optStr(line, 'note')),
            };
          }),
        }),
      ];
    case 'purchase_return':
      return [
        draft('PUR_MRB', {
          FStockOrgId: ref(str(document, 'stockOrg')),
          FPurchaseOrgId: ref(str(document, 'purchaseOrg')),
          FSupplierID: ref(str(document, 'supplier')),
          ...ownerHead,
          FPURMRBFIN: { FSettleCurrId: ref(str(document, 'currencyNumber')), FSettleOrgId: ref(str(document, 'settleOrg')), FTHIRDBILLNO: source.sourceId },
          FPURMRBENTRY: lines().map((line, i) => {
            const at = `lines.${i}.`;
            return {
              FMATERIALID: ref(str(line, 'material', at)),
              FUnitID: ref(str(line, 'unit', at)),
              FRMREALQTY: dec(line, 'quantity', at),
              ...priced(line, at, 'FTAXPRICE', 'FPrice', 'FENTRYTAXRATE'),
              FGIVEAWAY: bool(line, 'isGift', at),
              ...stockAndLot(line, 'FStockId', 'FLot'),
              ...(owner ? { FOWNERTYPEID: 'BD_OwnerOrg', FOWNERID: ref(owner) } : {}),
              ...optional('FNOTE', optStr(line, 'note')),
            };
          }),
        }),
      ];
    case 'other_instock':
      return [
        draft('STK_MISCELLANEOUS', {
          FStockOrgId: ref(str(document, 'stockOrg')),
          FStockDirect: str(document, 'stockDirection'),
          ...optional('FSUPPLIERID', optRef(optStr(document, 'supplier'))),
          ...optional('FDEPTID', optRef(optStr(document, 'department'))),
          ...ownerHead,
          ...optional('FNOTE', optStr(document, 'remark')),
          FEntity: lines().map((line, i) => {
            const at = `lines.${i}.`;
            return {
              FMATERIALID: ref(str(line, 'material', at)),
              FUnitID: ref(str(line, 'unit', at)),
              FQty: dec(line, 'quantity', at),
              ...stockAndLot(line, 'FSTOCKID', 'FLOT'),
              ...(owner ? { FOWNERTYPEID: 'BD_OwnerOrg', FOWNERID: ref(owner) } : {}),
              ...optional('FPRICE', optDec(line, 'price')),
              ...optional('FAmount', optDec(line, 'amount')),
              ...optional('FEntryNOTE', optStr(line, 'note')),
            };
          }),
        }),
      ];
    case 'other_outstock':
      return [
        draft('STK_MisDelivery', {
          FStockOrgId: ref(str(document, 'stockOrg')),
          FPickOrgId: ref(str(document, 'stockOrg')),
          FStockDirect: 'GENERAL',
          ...optional('FCustId', optRef(optStr(document, 'customer'))),
          ...optional('FDeptId', optRef(optStr(document, 'department'))),
          ...ownerHead,
          ...optional('FNote', optStr(document, 'remark')),
          FEntity: lines().map((line, i) => {
            const at = `lines.${i}.`;
            return {
              FMaterialId: ref(str(line, 'material', at)),
              FUnitID: ref(str(line, 'unit', at)),
              FQty: dec(line, 'quantity', at),
              ...stockAndLot(line, 'FStockId', 'FLot'),
              ...(owner ? { FOwnerTypeId: 'BD_OwnerOrg', FOwnerId: ref(owner) } : {}),
              ...optional('FEntryNote', optStr(line, 'note')),
            };
          }),
        }),
      ];
    case 'transfer': {
      const outOwner = str(document, 'outOwner');
      const inOwner = str(document, 'inOwner');
      return [
        draft('STK_TransferDirect', {
          FBizType: 'NORMAL',
          FTransferDirect: 'GENERAL',
          FTransferBizType: bool(document, 'crossOrg') ? 'OverOrgTransfer' : 'InnerOrgTransfer',
          FStockOutOrgId: ref(str(document, 'outStockOrg')),
          FOwnerTypeOutIdHead: 'BD_OwnerOrg',
          FOwnerOutIdHead: ref(outOwner),
          FStockOrgId: ref(str(document, 'inStockOrg')),
          FOwnerTypeIdHead: 'BD_OwnerOrg',
          FOwnerIdHead: ref(inOwner),
          FThirdSrcBillNo: source.sourceId,
          ...optional('FNote', optStr(document, 'remark')),
          FBillEntry: lines().map((line, i) => {
            const at = `lines.${i}.`;
            return {
              FMaterialId: ref(str(line, 'material', at)),
              FUnitID: ref(str(line, 'unit', at)),
              FQty: dec(line, 'quantity', at),
              FSrcStockId: ref(str(line, 'sourceWarehouse', at)),
              FDestStockId: ref(str(line, 'destWarehouse', at)),
              ...optional('FLot', optRef(optStr(line, 'batch'))),
              ...optional('FDestLot', optRef(optStr(line, 'destBatch') ?? optStr(line, 'batch'))),
              FOwnerTypeOutId: 'BD_OwnerOrg',
              FOwnerOutId: ref(outOwner),
              FOwnerTypeId: 'BD_OwnerOrg',
              FOwnerId: ref(inOwner),
            };
          }),
        }),
      ];
    }
    case 'stock_count': {
      const all = lines();
      const drafts: BillDraft[] = [];
      for (const [direction, formId, qtyKey] of [
        ['GAIN', 'STK_StockCountGain', 'FGainQty'],
        ['LOSS', 'STK_StockCountLoss', 'FLossQty'],
      ] as const) {
        const own = all.map((line, i) => ({ line, i })).filter(({ line }) => str(line, 'direction', 'lines.') === direction);
        if (own.length === 0) continue;
        drafts.push(
          draft(formId, {
            FStockOrgId: ref(str(document, 'stockOrg')),
            ...ownerHead,
            ...optional('FNoteHead', optStr(document, 'remark')),
            FBillEntry: own.map(({ line, i }) => {
              const at = `lines.${i}.`;
              return {
                FMaterialId: ref(str(line, 'material', at)),
                FUnitID: ref(str(line, 'unit', at)),
                ...stockAndLot(line, 'FStockId', 'FLot'),
                [qtyKey]: dec(line, 'quantity', at),
                ...optional('FCountQty', optDec(line, 'countedQuantity')),
                ...(owner ? { FOwnerTypeId: 'BD_OwnerOrg', FOwnerId: ref(owner) } : {}),
                ...optional('FNote', optStr(line, 'note')),
              };
            }),
          }),
        );
      }
      if (drafts.length === 0) throw new ValidationError('lines: a stock count needs at least one GAIN or LOSS line', 'lines');
      return drafts;
    }
    case 'assembly':
      return [
        draft('STK_AssembledApp', {
          FStockOrgId: ref(str(document, 'stockOrg')),
          FAffairType: str(document, 'affairType') === 'DISASSEMBLY' ? 'Dassembly' : 'Assembly',
          ...optional('FNote', optStr(document, 'remark')),
          FEntity: arr(document, 'products').map((product, i) => {
            const at = `products.${i}.`;
            return {
              FMaterialID: ref(str(product, 'material', at)),
              FUnitID: ref(str(product, 'unit', at)),
              FQty: dec(product, 'quantity', at),
              ...stockAndLot(product, 'FStockID', 'FLot'),
              FSubEntity: arr(product, 'components', at).map((component, j) => {
                const cat = `${at}components.${j}.`;
                return {
                  FMaterialIDSETY: ref(str(component, 'material', cat)),
                  FUnitIDSETY: ref(str(component, 'unit', cat)),
                  FQtySETY: dec(component, 'quantity', cat),
                  ...stockAndLot(component, 'FStockIDSETY', 'FLotSETY'),
                  ...optional('FCostProportion', optDec(component, 'costProportion')),
                };
              }),
            };
          }),
        }),
      ];
  }
}

// ------------------------------------------------------------------ field readers (errors name the field)

const ref = (number: string) => ({ FNumber: number });
const optRef = (number: string | undefined) => (number === undefined ? undefined : ref(number));

function optional(key: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: value };
}

function stockAndLot(line: CanonicalJson, stockKey: string, lotKey: string): Record<string, unknown> {
  // A missing warehouse is left out: Kingdee answers 仓库字段必录, which parks the bill with Kingdee's own words.
  return { ...optional(stockKey, optRef(optStr(line, 'warehouse'))), ...optional(lotKey, optRef(optStr(line, 'batch'))) };
}

function priced(line: CanonicalJson, at: string, taxPriceKey: string, priceKey: string, rateKey: string): Record<string, unknown> {
  return {
    ...optional(taxPriceKey, optDec(line, 'taxInclusivePrice', at)),
    ...optional(priceKey, optDec(line, 'price', at)),
    ...optional(rateKey, optDec(line, 'taxRate', at)),
  };
}

function obj(value: CanonicalJson, key: string, at = ''): CanonicalJson {
  const found = value[key];
  if (!found || typeof found !== 'object' || Array.isArray(found)) throw new ValidationError(`${at}${key}: expected an object`, `${at}${key}`);
  return found as CanonicalJson;
}

function arr(value: CanonicalJson, key: string, at = ''): CanonicalJson[] {
  const found = value[key];
  if (!Array.isArray(found)) throw new ValidationError(`${at}${key}: expected a list`, `${at}${key}`);
  if (found.length === 0) throw new ValidationError(`${at}${key}: a bill needs at least one line`, `${at}${key}`);
  return found.map((item, i) => {
    if (!item || typeof item !== 'object') throw new ValidationError(`${at}${key}.${i}: expected an object`, `${at}${key}.${i}`);
    return item as CanonicalJson;
  });
}

function str(value: CanonicalJson, key: string, at = ''): string {
  const found = value[key];
  if (typeof found !== 'string' || found.trim() === '') throw new ValidationError(`${at}${key}: required text is missing`, `${at}${key}`);
  return found;
}

function optStr(value: CanonicalJson, key: string): string | undefined {
  const found = value[key];
  return typeof found === 'string' && found !== '' ? found : undefined;
}

function bool(value: CanonicalJson, key: string, at = ''): boolean {
  const found = value[key];
  if (typeof found !== 'boolean') throw new ValidationError(`${at}${key}: expected true or false`, `${at}${key}`);
  return found;
}

function dec(value: CanonicalJson, key: string, at = ''): Decimal {
  return toDecimal(value[key], `${at}${key}`);
}

function optDec(value: CanonicalJson, key: string, at = ''): Decimal | undefined {
  const found = value[key];
  return found === undefined || found === null ? undefined : toDecimal(found, `${at}${key}`);
}
