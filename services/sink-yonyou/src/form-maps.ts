/**
 * The YonSuite form maps: a canonical event (libs/contracts, the same events sink-kingdee posts) → the `data` of a
 * YonSuite single save (yonyou-api.md §3.5). References go by code ("传入id或code"); quantities and prices travel as
 * exact decimal strings; the document code is the flow's deterministic key, also written to `out_sys_code` (the
 * external trace field) with the source id in `out_sys_id`.
 */
import { Decimal, toDecimal, ValidationError } from '@yecai/common';
import { isMasterDataType, MASTER_DATA_TYPES, type CanonicalJson } from '@yecai/sink-kit';
import type { FlowConfig } from './config';
import { receiptModel } from './receipt-map';
import { MASTER_FORMS } from './master-data-forms';
import { masterModel } from './master-data-map';
import { receivableModel } from './receivable-map';
import { voucherModel } from './voucher-map';

export const YONYOU_DOCUMENT_TYPES = [
  'sales_outstock',
  'sales_return',
  'other_outstock',
  'other_instock',
  'purchase_instock',
  'purchase_return',
  'transfer',
  'stock_count',
  'receivable',
  'receipt',
  'fee_settlement',
  // 物料 / 客户 / 供应商 / 仓库 (master-data-forms.ts, master-data-map.ts).
  ...MASTER_DATA_TYPES,
] as const;
export type YonyouDocumentType = (typeof YONYOU_DOCUMENT_TYPES)[number];

/** A YonSuite document kind: the API base path, its line array, its standard transaction type. */
export interface YonyouForm {
  formId: string;
  base: string;
  lines: string;
  /** The documented standard 交易类型; absent = tenant-specific, the flow must name it (`bustype`). */
  defaultBustype?: string;
  /** The save path under `base`. */
  save: string;
  /** Documented `MDD幂等`: the save takes a resubmitCheckKey. Otherwise only the ledger and the code lookup guard it. */
  mdd: boolean;
  /**
   * False: no scm `batchaudit`/`batchunaudit` — the document is saved (开立) and stays there, whatever the flow's
   * `audit` says (销售退货's single-document audit/confirm are not mapped: their bodies are not in the research).
   */
  batchActions?: false;
  /**
   * The business key the list API filters by and the sink keeps unique: `code` (单据编号) for the scm/sd documents,
   * `extVouchCode` (外部系统单号, with `extSystemCode`) for the EFI finance documents, which number their own `code`.
   */
  keyField?: 'extVouchCode' | 'businessId';
  /** The list (lookup) path under `base` when not `list`; the id field of its rows and of a save's answer when not `id`. */
  listPath?: string;
  idField?: string;
  /** The save takes the document as the whole body (the voucher API), not wrapped in `data`. */
  topLevelBody?: true;
  /** The 审核 / 弃审 paths under `base` when they are not the scm `batchaudit` / `batchunaudit`. */
  statusPaths?: { audit: string; unaudit: string };
  /** Save takes `_status: Insert` only ("fix by delete + re-save"): a changed source document cannot update it. */
  insertOnly?: true;
  /**
   * Rows name their source 应收单 by its extVouchCode (receipt-map.ts RECEIVABLE_KEY): the adapter looks the ids up
   * and links the rows (`srcBillId`) before the save.
   */
  linksReceivables?: true;
}

/** 采购入库单: blue for purchase_instock, red (a 退货 transaction type, yonyou-api.md §3.4 F6) for purchase_return. */
const PURINRECORD = {
  formId: 'purinrecord',
  base: '/yonbip/scm/purinrecord',
  lines: 'purInRecords',
  save: 'single/save',
  mdd: true,
} as const;

/**
 * The EFI finance documents (应收单, 收款单): MDD, unique by extSystemCode + extVouchCode (EFI numbers its own code),
 * audited by the EFI audit/unaudit actions, Insert only; no standard 交易类型 in the research.
 */
const EFI = {
  lines: 'bodyItem',
  save: 'save',
  mdd: true,
  keyField: 'extVouchCode',
  statusPaths: { audit: 'audit', unaudit: 'unaudit' },
  insertOnly: true,
} as const;

export const FORM_OF: Record<YonyouDocumentType, YonyouForm> = {
  sales_outstock: {
    formId: 'salesout',
    base: '/yonbip/scm/salesout',
    lines: 'details',
    defaultBustype: 'A30001',
    save: 'single/save',
    mdd: true,
  },
  other_outstock: {
    formId: 'othoutrecord',
    base: '/yonbip/scm/othoutrecord',
    lines: 'othOutRecords',
    defaultBustype: 'A10001',
    save: 'single/save',
    mdd: true,
  },
  other_instock: {
    formId: 'othinrecord',
    base: '/yonbip/scm/othinrecord',
    lines: 'othInRecords',
    defaultBustype: 'A08001',
    save: 'single/save',
    mdd: true,
  },
  // 销售退货单 (sales domain, yonyou-api.md §3.5.2): no standard 交易类型 in the research, the flow names the tenant's.
  sales_return: {
    formId: 'salereturn',
    base: '/yonbip/sd/vouchersalereturn',
    lines: 'saleReturnDetails',
    save: 'singleSave',
    mdd: true,
    batchActions: false,
  },
  purchase_instock: { ...PURINRECORD, defaultBustype: 'A15001' },
  // Red 采购入库: no standard 退货 交易类型 in the research, the flow names the tenant's; quantity sign per the flow.
  purchase_return: PURINRECORD,
  // 调出单 with bizType 2 (调出保存自动调入): one post makes both legs, like Kingdee's 直接调拨. Not MDD-idempotent.
  transfer: { formId: 'storeout', base: '/yonbip/scm/storeout', lines: 'details', save: 'save', mdd: false },
  // 盘点差异单: one document with signed differences (gain > 0, loss < 0); its audit makes the 盘盈/盘亏 documents.
  stock_count: {
    formId: 'storecheckdifference',
    base: '/yonbip/scm/storecheckdifference',
    lines: 'details',
    save: 'single/save',
    mdd: true,
  },
  // EFI 应收单 (yonyou-api.md §3.5.7, the generation the mapping draft §8 names before fi 应收事项).
  receivable: { formId: 'receivable', base: '/yonbip/EFI/receivable', ...EFI },
  // EFI 收款单: its audit writes off the receivables its rows link (the documented example 交易类型 is ar_colsale too).
  receipt: { formId: 'collection', base: '/yonbip/EFI/collection', ...EFI, linksReceivables: true },
  // 凭证 (yonyou-api.md §3.5.8): a top-level body keyed by businessId, found again by queryVouchers; no audit API (the
  // voucher stays 保存) and no update (a changed settlement parks: delete the voucher in YonSuite, then re-push).
  // Flagged MDD, but where a resubmitCheckKey would go without `data` is open (§9 q10): sent without one.
  fee_settlement: {
    formId: 'voucher',
    base: '/yonbip/fi/ficloud/openapi/voucher',
    lines: 'bodies',
    save: 'addVoucher',
    mdd: false,
    topLevelBody: true,
    keyField: 'businessId',
    listPath: 'queryVouchers',
    idField: 'voucherId',
    batchActions: false,
    insertOnly: true,
  },
  ...MASTER_FORMS,
};

export function formOfId(formId: string): YonyouForm {
  const form = Object.values(FORM_OF).find((one) => one.formId === formId);
  if (!form) throw new Error(`unknown YonSuite form ${formId}`);
  return form;
}

type Json = CanonicalJson;
type Line = Record<string, unknown>;

/** The `data` of the single save for one canonical event (without `resubmitCheckKey`, added per write). */
export function yonyouModel(
  documentType: YonyouDocumentType,
  event: Json,
  flow: FlowConfig,
  code: string,
): Record<string, unknown> {
  const form = FORM_OF[documentType];
  if (documentType === 'receivable') return receivableModel(event, flow, code);
  if (documentType === 'receipt') return receiptModel(event, flow, code);
  if (documentType === 'fee_settlement') return voucherModel(event, flow, code);
  if (isMasterDataType(documentType)) return masterModel(documentType, event, flow);
  const head = {
    code,
    vouchdate: required(event, 'date'),
    bustype: flow.bustype ?? form.defaultBustype ?? required({}, 'bustype', 'flow.bustype'),
    memo: optional(event, 'remark'),
    out_sys_id: required(event.source as Json, 'sourceId', 'source.sourceId'),
    out_sys_code: code,
    out_sys_type: optional(event.source as Json, 'sourceSystem'),
    _status: 'Insert',
  };
  const lines = linesOf(event);
  const stockLine = (line: Line, index: number) => ({
    _status: 'Insert',
    product: required(line, 'material', `lines[${index}].material`),
    qty: required(line, 'quantity', `lines[${index}].quantity`),
    stockUnit: required(line, 'unit', `lines[${index}].unit`),
    warehouse: required(line, 'warehouse', `lines[${index}].warehouse`),
    batchno: optional(line, 'batch'),
    memo: optional(line, 'note'),
    out_sys_rowno: optional(line, 'lineId'),
  });
  const currency = (field: string) => {
    const value = required(event, field);
    return flow.currencyCodes[value] ?? value;
  };
  const priced = (line: Line, index: number) => ({
    ...stockLine(line, index),
    priceUOM: required(line, 'unit', `lines[${index}].unit`),
    oriTaxUnitPrice: optional(line, 'taxInclusivePrice'),
    oriUnitPrice: optional(line, 'price'),
    taxRate: optional(line, 'taxRate'),
  });
  switch (documentType) {
    case 'sales_outstock': {
      const saleOrg = required(event, 'saleOrg');
      const settleOrg = optional(event, 'settleOrg') ?? saleOrg;
      return compact({
        ...head,
        org: required(event, 'deliveryOrg'),
        salesOrg: saleOrg,
        accountOrg: settleOrg,
        invoiceOrg: settleOrg,
        cust: required(event, 'customer'),
        currency: currency('currency'),
        natCurrency: currency('currency'),
        exchRate: optional(event, 'exchangeRate'),
        srcBillType: '0',
        receiveAccountingBasis: flow.receiveAccountingBasis,
        salesoutAccountingMethod: flow.salesoutAccountingMethod,
        headItem: compact({
          define1: optional(event, 'logisticsNumber'),
          define2: optional(event, 'onlineOrderNumber'),
        }),
        [form.lines]: lines.map((line, index) =>
          compact({ ...priced(line, index), saleStyle: line.isGift === true ? 'GIFT' : 'SALE' }),
        ),
      });
    }
    case 'sales_return': {
      // Field names of the sales domain: ids or codes in …Id fields, `transactionTypeId` for the 交易类型.
      const { bustype, ...rest } = head;
      const saleOrg = required(event, 'saleOrg');
      const stockOrg = required(event, 'stockOrg');
      const customer = required(event, 'customer');
      const details = lines.map((line, index) => {
        const quantity = required(line, 'quantity', `lines[${index}].quantity`);
        return compact({
          _status: 'Insert',
          productId: required(line, 'material', `lines[${index}].material`),
          stockId: required(line, 'warehouse', `lines[${index}].warehouse`),
          stockOrgId: stockOrg,
          qty: quantity,
          priceQty: quantity,
          priceUOM: required(line, 'unit', `lines[${index}].unit`),
          oriTaxUnitPrice: optional(line, 'taxInclusivePrice'),
          oriUnitPrice: optional(line, 'price'),
          taxRate: optional(line, 'taxRate'),
          oriSum: lineAmount(line, index),
          batchno: optional(line, 'batch'),
          memo: optional(line, 'note'),
          out_sys_rowno: optional(line, 'lineId'),
        });
      });
      return compact({
        ...rest,
        transactionTypeId: bustype,
        salesOrgId: saleOrg,
        settlementOrgId: optional(event, 'settleOrg') ?? saleOrg,
        agentId: customer,
        invoiceAgentId: customer,
        currency: currency('currency'),
        natCurrency: currency('currency'),
        exchRate: optional(event, 'exchangeRate'),
        taxInclusive: true,
        saleReturnSourceType: 'NONE',
        // Must equal the sum of the lines' tax-inclusive amounts (the API refuses it otherwise).
        payMoney: details.reduce((sum, detail) => sum.plus(detail.oriSum), new Decimal(0)).toFixed(2),
        headItem: compact({ define1: optional(event, 'returnReason'), define2: optional(event, 'onlineOrderNumber') }),
        [form.lines]: details,
      });
    }
    case 'purchase_instock':
    case 'purchase_return': {
      const stockOrg = required(event, 'stockOrg');
      // Unconfirmed which sign a tenant's red 采购入库 takes (docs/yonyou.md §6 item 7): the flow says, default negative.
      const negative = documentType === 'purchase_return' && (flow.returnQuantities ?? 'negative') === 'negative';
      const line = (one: Line, index: number) => {
        const model = priced(one, index);
        if (documentType !== 'purchase_return') return model;
        if (!toDecimal(model.qty, `lines[${index}].quantity`).gt(0))
          throw new ValidationError(
            `lines[${index}].quantity: 退货数量必须大于0（${model.qty}） a return quantity must be positive`,
            `lines[${index}].quantity`,
          );
        return { ...model, qty: negative ? negated(model.qty) : model.qty };
      };
      return compact({
        ...head,
        org: stockOrg,
        purchaseOrg: required(event, 'purchaseOrg'),
        accountOrg: optional(event, 'settleOrg') ?? stockOrg,
        inInvoiceOrg: optional(event, 'settleOrg') ?? stockOrg,
        vendor: required(event, 'supplier'),
        invoiceVendor: required(event, 'supplier'),
        currency: currency('currency'),
        natCurrency: currency('currency'),
        exchRate: optional(event, 'exchangeRate'),
        [form.lines]: lines.map((one, index) => compact(line(one, index))),
      });
    }
    case 'transfer': {
      // The 调出单 names its warehouses on the header: every line must move between the same two warehouses.
      const pairs = new Set(
        lines.map(
          (line, index) =>
            `${required(line, 'sourceWarehouse', `lines[${index}].sourceWarehouse`)}>${required(line, 'destWarehouse', `lines[${index}].destWarehouse`)}`,
        ),
      );
      if (pairs.size > 1)
        throw new ValidationError(
          `lines: 用友调出单表头只有一个调出/调入仓库，本单涉及 ${[...pairs].join(', ')} a YonSuite transfer moves between one pair of warehouses`,
          'lines[].sourceWarehouse',
        );
      const outOrg = required(event, 'outStockOrg');
      const inOrg = required(event, 'inStockOrg');
      return compact({
        ...head,
        bizType: '2',
        outorg: outOrg,
        outaccount: outOrg,
        inorg: inOrg,
        inaccount: inOrg,
        outwarehouse: required(lines[0], 'sourceWarehouse', 'lines[0].sourceWarehouse'),
        inwarehouse: required(lines[0], 'destWarehouse', 'lines[0].destWarehouse'),
        [form.lines]: lines.map((line, index) =>
          compact({
            _status: 'Insert',
            product: required(line, 'material', `lines[${index}].material`),
            qty: required(line, 'quantity', `lines[${index}].quantity`),
            unit: required(line, 'unit', `lines[${index}].unit`),
            batchno: optional(line, 'batch'),
            inbatchno: optional(line, 'destBatch'),
            out_sys_rowno: optional(line, 'lineId'),
          }),
        ),
      });
    }
    case 'stock_count': {
      const { bustype, ...rest } = head;
      const warehouses = new Set(lines.map((line, index) => required(line, 'warehouse', `lines[${index}].warehouse`)));
      if (warehouses.size > 1)
        throw new ValidationError(
          `lines: 用友盘点差异单表头只有一个仓库，本单涉及 ${[...warehouses].join(', ')} a YonSuite stock-take difference covers one warehouse`,
          'lines[].warehouse',
        );
      const stockOrg = required(event, 'stockOrg');
      return compact({
        ...rest,
        businesstype: bustype,
        stockOrg,
        accountOrg: stockOrg,
        warehouse: required(lines[0], 'warehouse', 'lines[0].warehouse'),
        [form.lines]: lines.map((line, index) => {
          const quantity = required(line, 'quantity', `lines[${index}].quantity`);
          const direction = required(line, 'direction', `lines[${index}].direction`);
          return compact({
            _status: 'Insert',
            product: required(line, 'material', `lines[${index}].material`),
            // Signed text, exactly: a loss is the quantity with a minus sign.
            profitlossqty: direction === 'LOSS' ? negated(quantity) : quantity,
            unit: required(line, 'unit', `lines[${index}].unit`),
            batchno: optional(line, 'batch'),
            out_sys_rowno: optional(line, 'lineId'),
          });
        }),
      });
    }
    case 'other_instock':
    case 'other_outstock': {
      const stockOrg = required(event, 'stockOrg');
      return compact({
        ...head,
        org: stockOrg,
        accountOrg: stockOrg,
        department: optional(event, 'department'),
        ...(documentType === 'other_outstock'
          ? { cust: optional(event, 'customer') }
          : { vendor: optional(event, 'supplier') }),
        [form.lines]: lines.map((line, index) => compact(stockLine(line, index))),
      });
    }
  }
}

/**
 * A line's 价税合计 as exact decimal text: the event's `amount`, else quantity × tax-inclusive price, to the cent
 * (half up). Neither given: refused naming the price field.
 */
function lineAmount(line: Line, index: number): string {
  const amount = optional(line, 'amount');
  if (amount !== undefined) return toDecimal(amount, `lines[${index}].amount`).toFixed(2);
  const price = required(line, 'taxInclusivePrice', `lines[${index}].taxInclusivePrice`);
  return toDecimal(required(line, 'quantity', `lines[${index}].quantity`), `lines[${index}].quantity`)
    .times(toDecimal(price, `lines[${index}].taxInclusivePrice`))
    .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    .toFixed(2);
}

/** Signed decimal text, exactly: the quantity with its sign flipped (no float round trip). */
export function negated(quantity: string): string {
  return quantity.startsWith('-') ? quantity.slice(1) : `-${quantity}`;
}

export function linesOf(event: Json): Line[] {
  const lines = event.lines;
  if (!Array.isArray(lines) || lines.length === 0)
    throw new ValidationError('lines: 单据没有明细行 the document has no lines', 'lines');
  return lines as Line[];
}

export function required(record: Record<string, unknown> | undefined, field: string, path = field): string {
  const value = record?.[field];
  if (value === undefined || value === null || String(value).trim() === '') {
    throw new ValidationError(`${path}: 用友单据必填字段为空 required for YonSuite but missing`, path);
  }
  return String(value);
}

export function optional(record: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = record?.[field];
  return value === undefined || value === null || String(value) === '' ? undefined : String(value);
}

/** Leaves out absent values: after 2025-03-15 the gateway passes `null` through and it would clear the field. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(
      ([, value]) =>
        value !== undefined &&
        !(typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0),
    ),
  ) as T;
}
