/**
 * Form metadata the emulator enforces: the forms, their field keys, captions, required flags and base-data
 * references come from the Kingdee form registry (@yecai/kingdee, libs/kingdee/src/forms); what the server does
 * on Save and Audit (stock effects, derived amounts) is declared here per form. Field keys match
 * case-insensitively, like the real server.
 */
import {
  BILL_FORM_DECLARATIONS,
  MASTER_FORM_DECLARATIONS,
  type BaseFormId,
  type BillFormDeclaration,
  type EntityDef,
  type FieldDef,
  type FieldType,
  type MasterFormDeclaration,
  type SubHeadDef,
} from '@yecai/kingdee';

export { CUSTOM_SALES_FIELDS, findField } from '@yecai/kingdee';
export type { BaseFormId, EntityDef, FieldDef, FieldType, SubHeadDef };

export interface StockMove {
  /** Where the quantity lives: the main entry or its sub-entry. */
  entity: 'entry' | 'sub';
  qtyField: string;
  stockField: string;
  lotField: string;
  materialField: string;
  /** Header org field holding the stock org of this movement. */
  orgField: string;
  /** +1 adds stock on audit, -1 removes it. */
  sign: 1 | -1;
}

/** What K/3 Cloud does with a bill of this form on Save and Audit. */
interface BillBehaviour {
  /** Entry fields that resolve in another header org than `orgField` (entry field key → header org field). */
  fieldOrg?: Record<string, string>;
  /** Stock movements applied on Audit (and reversed on UnAudit); `header` decides direction variants. */
  stockMoves: (header: Record<string, unknown>) => StockMove[];
  /** Entry amount fields derived by the server (含税金额, 不含税金额). */
  priceField?: string;
  qtyField?: string;
  taxRateField?: string;
}

export type BillFormDef = BillFormDeclaration & BillBehaviour;

function move(entity: 'entry' | 'sub', qtyField: string, stockField: string, lotField: string, materialField: string, orgField: string, sign: 1 | -1): StockMove {
  return { entity, qtyField, stockField, lotField, materialField, orgField, sign };
}

const directionSign = (header: Record<string, unknown>, normal: 1 | -1): 1 | -1 =>
  String(header.FStockDirect ?? 'GENERAL').toUpperCase() === 'RETURN' ? ((-normal) as 1 | -1) : normal;

const taxPriced = (taxPrice: string, qty: string, rate: string) => ({ priceField: taxPrice, qtyField: qty, taxRateField: rate });
const noStock = () => [];

const BEHAVIOUR: Record<string, BillBehaviour> = {
  SAL_OUTSTOCK: { stockMoves: () => [move('entry', 'FRealQty', 'FStockID', 'FLot', 'FMaterialID', 'FStockOrgId', -1)], ...taxPriced('FTaxPrice', 'FRealQty', 'FEntryTaxRate') },
  SAL_RETURNSTOCK: { stockMoves: () => [move('entry', 'FRealQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', 1)], ...taxPriced('FTaxPrice', 'FRealQty', 'FEntryTaxRate') },
  STK_InStock: { stockMoves: () => [move('entry', 'FRealQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', 1)], ...taxPriced('FTaxPrice', 'FRealQty', 'FEntryTaxRate') },
  PUR_MRB: { stockMoves: () => [move('entry', 'FRMREALQTY', 'FStockId', 'FLot', 'FMATERIALID', 'FStockOrgId', -1)], ...taxPriced('FTAXPRICE', 'FRMREALQTY', 'FENTRYTAXRATE') },
  STK_MISCELLANEOUS: { stockMoves: (header) => [move('entry', 'FQty', 'FSTOCKID', 'FLOT', 'FMATERIALID', 'FStockOrgId', directionSign(header, 1))] },
  STK_MisDelivery: { stockMoves: (header) => [move('entry', 'FQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', directionSign(header, -1))] },
  STK_TransferDirect: {
    fieldOrg: { FDestStockId: 'FStockOrgId' },
    stockMoves: () => [move('entry', 'FQty', 'FSrcStockId', 'FLot', 'FMaterialId', 'FStockOutOrgId', -1), move('entry', 'FQty', 'FDestStockId', 'FDestLot', 'FMaterialId', 'FStockOrgId', 1)],
  },
  STK_StockCountGain: { stockMoves: () => [move('entry', 'FGainQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', 1)] },
  STK_StockCountLoss: { stockMoves: () => [move('entry', 'FLossQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', -1)] },
  STK_AssembledApp: {
    stockMoves: (header) => {
      const assembly = String(header.FAffairType ?? 'Assembly').toLowerCase() !== 'dassembly';
      return [
        move('entry', 'FQty', 'FStockID', 'FLot', 'FMaterialID', 'FStockOrgId', assembly ? 1 : -1),
        move('sub', 'FQtySETY', 'FStockIDSETY', 'FLotSETY', 'FMaterialIDSETY', 'FStockOrgId', assembly ? -1 : 1),
      ];
    },
  },
  // 销售订单 reserves nothing and moves no stock; its amounts derive like every priced bill's.
  SAL_SaleOrder: { stockMoves: noStock, ...taxPriced('FTaxPrice', 'FQty', 'FEntryTaxRate') },
  AR_receivable: { stockMoves: noStock, ...taxPriced('FTaxPrice', 'FPriceQty', 'FEntryTaxRate') },
  AP_Payable: { stockMoves: noStock, ...taxPriced('FTaxPrice', 'FPriceQty', 'FEntryTaxRate') },
  AR_RECEIVEBILL: { stockMoves: noStock },
};

/** Every bill form of the registry, with its server behaviour (a registry form without one moves no stock). */
export const BILL_FORMS: BillFormDef[] = BILL_FORM_DECLARATIONS.map((form) => ({ ...form, ...(BEHAVIOUR[form.formId] ?? { stockMoves: noStock }) }));

/** Base-data forms: PK field, caption, extra fields stored and queryable. */
export interface BaseFormDef {
  formId: BaseFormId;
  caption: string;
  pkField: string;
  /** Organisations and units/currencies are not per use-org. */
  orgScoped: boolean;
  /** Top-level fields of the Model. */
  extra: FieldDef[];
  /** Sub-headers (BD_MATERIAL 基本 SubHeadEntity, 库存 SubHeadEntity1): saved from their Model objects, queried by field key. */
  subHeads: SubHeadDef[];
}

export const BASE_FORMS: BaseFormDef[] = MASTER_FORM_DECLARATIONS.map((form: MasterFormDeclaration) => ({
  formId: form.formId,
  caption: form.caption,
  pkField: form.pkField,
  orgScoped: form.orgScoped,
  extra: form.fields,
  subHeads: form.subHeads,
}));

export const billForm = (formId: string): BillFormDef | undefined =>
  BILL_FORMS.find((form) => form.formId.toLowerCase() === formId.toLowerCase());
export const baseForm = (formId: string): BaseFormDef | undefined =>
  BASE_FORMS.find((form) => form.formId.toLowerCase() === formId.toLowerCase());

/** All fields of a base-data form: top-level and sub-header ones (both are queried by field key). */
export function allBaseFields(def: BaseFormDef): FieldDef[] {
  return [...def.extra, ...def.subHeads.flatMap((sub) => sub.fields)];
}

export function allHeaderFields(form: BillFormDef): FieldDef[] {
  return [...form.header, ...form.subHeads.flatMap((sub) => sub.fields)];
}
