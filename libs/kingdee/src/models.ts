import type { Decimal } from '@yecai/common';

/**
 * Typed Save models of the forms yecai writes (kingdee-webapi.md §6). Keys are Kingdee field keys exactly
 * as the templates write them; the server matches them case-insensitively. Only the commonly used keys are
 * typed; tenant custom fields (`F_<prefix>_<name>`) are allowed on every model.
 */

/** Base-data / organisation reference: `{"FNumber":…}` is the usual form. */
export type Ref = { FNumber: string } | { FNUMBER: string } | { FName: string } | { FOrgID: number };
/** Quantities, prices and amounts: pass Decimal (sent as an exact JSON number). */
export type Num = Decimal | number | string;
/** `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`. */
export type DateText = string;
/** Tenant extension fields (e.g. 物流单号 / 线上订单号) live on every level. */
export type CustomFields = { [key: `F_${string}`]: unknown };
/** Lot (批号): a reference by number; `{ FNumber: '' }` for none. */
export type LotRef = { FNumber: string };

type BillHeader = CustomFields & {
  /** 0 or absent = create; an existing FID = update. */
  FID?: number;
  /** Deterministic bill number from the source document: the idempotency key. */
  FBillNo?: string;
  FBillTypeID?: Ref;
  FOwnerTypeIdHead?: 'BD_OwnerOrg' | 'BD_Supplier' | 'BD_Customer';
  FOwnerIdHead?: Ref;
};

type StockLine = CustomFields & {
  FEntryID?: number;
  FUnitID: Ref;
  FStockStatusId?: Ref;
  FOwnerTypeId?: string;
  FOwnerId?: Ref;
};

export type SalesOutStockModel = BillHeader & {
  FDate: DateText;
  FSaleOrgId: Ref;
  FStockOrgId: Ref;
  FCustomerID: Ref;
  FReceiverID?: Ref;
  FSettleID?: Ref;
  FPayerID?: Ref;
  FNote?: string;
  FCarriageNO?: string;
  SubHeadEntity: CustomFields & { FSettleCurrID: Ref; FSettleOrgID?: Ref; FLocalCurrID?: Ref; FExchangeRate?: Num; FIsIncludedTax?: boolean; FThirdBillNo?: string };
  FEntity: (StockLine & { FMaterialID: Ref; FRealQty: Num; FMustQty?: Num; FPrice?: Num; FTaxPrice?: Num; FEntryTaxRate?: Num; FIsFree?: boolean; FStockID: Ref; FLot?: LotRef; FSoorDerno?: string })[];
};

export type SalesReturnModel = BillHeader & {
  FDate: DateText;
  FSaleOrgId: Ref;
  FStockOrgId: Ref;
  FRetcustId: Ref;
  FReturnReason?: string;
  FHeadNote?: string;
  SubHeadEntity: CustomFields & { FSettleCurrId: Ref; FSettleOrgId?: Ref; FThirdBillNo?: string };
  FEntity: (StockLine & { FMaterialId: Ref; FRealQty: Num; FPrice?: Num; FTaxPrice?: Num; FEntryTaxRate?: Num; FIsFree?: boolean; FReturnType?: Ref; FStockId: Ref; FLot?: LotRef })[];
};

export type PurchaseInStockModel = BillHeader & {
  FDate: DateText;
  FStockOrgId: Ref;
  FPurchaseOrgId: Ref;
  FSupplierId: Ref;
  FInStockFin: CustomFields & { FSettleCurrId: Ref; FSettleOrgId?: Ref; FIsIncludedTax?: boolean; FTHIRDBILLNO?: string };
  FInStockEntry: (StockLine & { FMaterialId: Ref; FRealQty: Num; FPrice?: Num; FTaxPrice?: Num; FEntryTaxRate?: Num; FGiveAway?: boolean; FStockId: Ref; FLot?: LotRef; FNote?: string })[];
};

export type PurchaseReturnModel = BillHeader & {
  FDate: DateText;
  FStockOrgId: Ref;
  FPurchaseOrgId: Ref;
  FSupplierID: Ref;
  FPURMRBFIN: CustomFields & { FSettleCurrId: Ref; FSettleOrgId?: Ref; FTHIRDBILLNO?: string };
  FPURMRBENTRY: (StockLine & { FMATERIALID: Ref; FRMREALQTY: Num; FPrice?: Num; FTAXPRICE?: Num; FENTRYTAXRATE?: Num; FGIVEAWAY?: boolean; FStockId: Ref; FLot?: LotRef })[];
};

export type OtherInStockModel = BillHeader & {
  FDate: DateText;
  FStockOrgId: Ref;
  FStockDirect?: 'GENERAL' | 'RETURN';
  FSUPPLIERID?: Ref;
  FNOTE?: string;
  FEntity: (StockLine & { FMATERIALID: Ref; FQty: Num; FSTOCKID: Ref; FLOT?: LotRef; FPRICE?: Num; FAmount?: Num; FEntryNOTE?: string })[];
};

export type OtherOutStockModel = BillHeader & {
  FDate: DateText;
  FStockOrgId: Ref;
  FPickOrgId?: Ref;
  FStockDirect?: 'GENERAL' | 'RETURN';
  FCustId?: Ref;
  FDeptId?: Ref;
  FNote?: string;
  FEntity: (StockLine & { FMaterialId: Ref; FQty: Num; FStockId: Ref; FLot?: LotRef; FEntryNote?: string })[];
};

export type TransferDirectModel = BillHeader & {
  FDate: DateText;
  FBizType?: string;
  FTransferDirect?: 'GENERAL' | 'RETURN';
  FTransferBizType?: 'InnerOrgTransfer' | 'OverOrgTransfer' | string;
  FStockOutOrgId: Ref;
  FStockOrgId: Ref;
  FOwnerTypeOutIdHead?: string;
  FOwnerOutIdHead?: Ref;
  FThirdSrcBillNo?: string;
  FBillEntry: (StockLine & { FMaterialId: Ref; FQty: Num; FSrcStockId: Ref; FDestStockId: Ref; FLot?: LotRef; FDestLot?: LotRef })[];
};

export type StockCountGainModel = BillHeader & {
  FDate: DateText;
  FStockOrgId: Ref;
  FNoteHead?: string;
  FBillEntry: (StockLine & { FMaterialId: Ref; FStockId: Ref; FLot?: LotRef; FAcctQty?: Num; FCountQty?: Num; FGainQty: Num })[];
};

export type StockCountLossModel = BillHeader & {
  FDate: DateText;
  FStockOrgId: Ref;
  FNoteHead?: string;
  FBillEntry: (StockLine & { FMaterialId: Ref; FStockId: Ref; FLot?: LotRef; FAcctQty?: Num; FCountQty?: Num; FLossQty: Num })[];
};

export type AssemblyModel = BillHeader & {
  FDate: DateText;
  FStockOrgId: Ref;
  FAffairType: 'Assembly' | 'Dassembly';
  FEntity: (StockLine & {
    FMaterialID: Ref;
    FQty: Num;
    FStockID: Ref;
    FLot?: LotRef;
    FSubEntity: (CustomFields & { FMaterialIDSETY: Ref; FUnitIDSETY: Ref; FQtySETY: Num; FStockIDSETY: Ref; FLotSETY?: LotRef; FCostProportion?: Num })[];
  })[];
};

export type ReceivableModel = BillHeader & {
  FDATE: DateText;
  FENDDATE_H?: DateText;
  FCUSTOMERID: Ref;
  FCURRENCYID: Ref;
  FSETTLEORGID: Ref;
  FPAYORGID?: Ref;
  FSALEORGID?: Ref;
  FBUSINESSTYPE?: string;
  FSetAccountType?: string;
  FAR_Remark?: string;
  FsubHeadFinc?: CustomFields & { FMAINBOOKSTDCURRID?: Ref; FExchangeRate?: Num };
  FEntityDetail: (CustomFields & { FMATERIALID?: Ref; FPRICEUNITID?: Ref; FPriceQty: Num; FPrice?: Num; FTaxPrice?: Num; FEntryTaxRate?: Num; FSourceBillNo?: string })[];
};

export type PayableModel = BillHeader & {
  FDATE: DateText;
  FSUPPLIERID: Ref;
  FCURRENCYID: Ref;
  FSETTLEORGID: Ref;
  FPAYORGID?: Ref;
  FPURCHASEORGID?: Ref;
  FBUSINESSTYPE?: string;
  FsubHeadFinc?: CustomFields & { FMAINBOOKSTDCURRID?: Ref; FExchangeRate?: Num };
  FEntityDetail: (CustomFields & { FMATERIALID?: Ref; FCOSTID?: Ref; FPRICEUNITID?: Ref; FPriceQty: Num; FPrice?: Num; FTaxPrice?: Num; FEntryTaxRate?: Num })[];
};

export type ReceiptModel = BillHeader & {
  FDATE: DateText;
  FCONTACTUNITTYPE: 'BD_Customer' | 'BD_Supplier' | 'BD_Department' | string;
  FCONTACTUNIT: Ref;
  FPAYUNITTYPE?: string;
  FPAYUNIT?: Ref;
  FCURRENCYID: Ref;
  FSETTLECUR?: Ref;
  FSETTLEORGID: Ref;
  FPAYORGID?: Ref;
  FSALEORGID?: Ref;
  FBUSINESSTYPE?: string;
  FEXCHANGERATE?: Num;
  FREMARK?: string;
  FRECEIVEBILLENTRY: (CustomFields & { FSETTLETYPEID: Ref; FPURPOSEID?: Ref; FRECTOTALAMOUNTFOR: Num; FRECAMOUNTFOR_E?: Num; FACCOUNTID?: Ref | string; FCOMMENT?: string })[];
};

type BaseDataModel = CustomFields & { FCreateOrgId: Ref; FUseOrgId?: Ref; FNumber: string; FName: string; FDescription?: string };
export type MaterialModel = BaseDataModel & { FMATERIALID?: number; FSpecification?: string; SubHeadEntity?: CustomFields & { FBaseUnitId?: Ref; FErpClsID?: string } };
export type CustomerModel = BaseDataModel & { FCUSTID?: number; FShortName?: string; FTRADINGCURRID?: Ref };
export type SupplierModel = BaseDataModel & { FSupplierId?: number; FShortName?: string };
export type WarehouseModel = BaseDataModel & { FStockId?: number; FStockProperty?: string; FAllowMinusQty?: boolean };

/** Form id → typed Save model; other form ids take a plain record. */
export interface FormModels {
  SAL_OUTSTOCK: SalesOutStockModel;
  SAL_RETURNSTOCK: SalesReturnModel;
  STK_InStock: PurchaseInStockModel;
  PUR_MRB: PurchaseReturnModel;
  STK_MISCELLANEOUS: OtherInStockModel;
  STK_MisDelivery: OtherOutStockModel;
  STK_TransferDirect: TransferDirectModel;
  STK_StockCountGain: StockCountGainModel;
  STK_StockCountLoss: StockCountLossModel;
  STK_AssembledApp: AssemblyModel;
  AR_receivable: ReceivableModel;
  AP_Payable: PayableModel;
  AR_RECEIVEBILL: ReceiptModel;
  BD_MATERIAL: MaterialModel;
  BD_Customer: CustomerModel;
  BD_Supplier: SupplierModel;
  BD_STOCK: WarehouseModel;
}

export type ModelOf<F extends string> = F extends keyof FormModels ? FormModels[F] : Record<string, unknown>;
