/**
 * What a YonSuite tenant holds, as far as yecai's flows touch it: reference data (orgs, customers, products, …,
 * addressed by id **or** code), stock balances, and the stock documents with their numbering, status and `pubts`.
 * Business rules answer the way the real APIs document them: `999 保存失败` with a reason.
 */
import { Decimal, toDecimal } from '@yecai/common';
import { checkEfiReceivable } from './efi';
import { checkEfiCollection, COLLECTION_KIND, efiStatusChange, writeOffView } from './efi-collection';

/** A stock document kind: its API base path and the name of its line array (yonyou-api.md §3.3–3.5). */
export interface BillKind {
  base: string;
  lines: string;
  /** The save path under `base` (`single/save`, or `save` for transfers). */
  save: string;
  /** Documented `事务和幂等性: MDD幂等`. */
  mdd: boolean;
  /** Stock moves on save: -1 out, +1 in, 0 none (stock-take differences move on audit, not emulated). */
  direction: -1 | 0 | 1;
  /** Code prefix of the emulator's auto numbering. */
  prefix: string;
  /** Header reference fields that must be given and must exist. */
  required: Record<string, RefType>;
  /** The line quantity field (盘点差异 `profitlossqty` is signed: gain > 0, loss < 0). */
  qtyField?: string;
  /** Line field names where the document differs from the scm ones (`product`, `warehouse`, `stockUnit`/`unit`). */
  lineFields?: { product: string; warehouse: string; unit: string };
  /**
   * A header amount that must equal the sum of a line amount (销售退货 `payMoney` = Σ `oriSum`), compared exactly as
   * decimals.
   */
  sumCheck?: { header: string; line: string };
  /** The scm `batchaudit` / `batchunaudit` state actions (the sales-domain 销售退货 has single-document ones instead). */
  batchActions?: false;
  /**
   * Transaction types (codes) that make the document red (退货): stock moves against `direction`. Whether a real
   * tenant's red 采购入库 carries negative or positive quantities is unconfirmed (yonyou-api.md §9 q6), so a red
   * document takes either — every line the same sign — and a blue one only positive quantities.
   */
  returnBustypes?: string[];
  /** An EFI finance document (efi.ts): its own field names, rules and business key; no stock. */
  efi?: true;
  /** 审核 / 弃审 paths under `base` when not `batchaudit` / `batchunaudit` (EFI `audit` / `unaudit`). */
  statusPaths?: { audit: string; unaudit: string };
}

export type RefType =
  | 'org'
  | 'customer'
  | 'vendor'
  | 'product'
  | 'warehouse'
  | 'currency'
  | 'unit'
  | 'bustype'
  | 'settlemode'
  | 'bankaccount';

export const BILL_KINDS: Record<string, BillKind> = {
  salesout: {
    base: '/yonbip/scm/salesout',
    lines: 'details',
    save: 'single/save',
    mdd: true,
    direction: -1,
    prefix: 'XSCK',
    required: {
      org: 'org',
      salesOrg: 'org',
      accountOrg: 'org',
      cust: 'customer',
      currency: 'currency',
      natCurrency: 'currency',
      bustype: 'bustype',
    },
  },
  othoutrecord: {
    base: '/yonbip/scm/othoutrecord',
    lines: 'othOutRecords',
    save: 'single/save',
    mdd: true,
    direction: -1,
    prefix: 'QTCK',
    required: { org: 'org', accountOrg: 'org', bustype: 'bustype' },
  },
  othinrecord: {
    base: '/yonbip/scm/othinrecord',
    lines: 'othInRecords',
    save: 'single/save',
    mdd: true,
    direction: 1,
    prefix: 'QTRK',
    required: { org: 'org', accountOrg: 'org', bustype: 'bustype' },
  },
  purinrecord: {
    base: '/yonbip/scm/purinrecord',
    lines: 'purInRecords',
    save: 'single/save',
    mdd: true,
    direction: 1,
    prefix: 'CGRK',
    required: {
      org: 'org',
      purchaseOrg: 'org',
      accountOrg: 'org',
      vendor: 'vendor',
      currency: 'currency',
      bustype: 'bustype',
    },
    returnBustypes: ['CGTH01'],
  },
  storecheckdifference: {
    base: '/yonbip/scm/storecheckdifference',
    lines: 'details',
    save: 'single/save',
    mdd: true,
    direction: 0,
    prefix: 'PDCY',
    required: { stockOrg: 'org', accountOrg: 'org', businesstype: 'bustype', warehouse: 'warehouse' },
    qtyField: 'profitlossqty',
  },
  // 销售退货单 (sales domain, yonyou-api.md §3.5.2): ids or codes in `salesOrgId`/`agentId`/…, lines
  // `saleReturnDetails` with `productId`/`stockId`; goods come back into stock on save (the emulator's simplification
  // of the 退库-direction 销售出库 YonSuite generates from it).
  salereturn: {
    base: '/yonbip/sd/vouchersalereturn',
    lines: 'saleReturnDetails',
    save: 'singleSave',
    mdd: true,
    direction: 1,
    prefix: 'XSTH',
    required: {
      salesOrgId: 'org',
      settlementOrgId: 'org',
      agentId: 'customer',
      transactionTypeId: 'bustype',
      currency: 'currency',
      natCurrency: 'currency',
    },
    lineFields: { product: 'productId', warehouse: 'stockId', unit: 'priceUOM' },
    sumCheck: { header: 'payMoney', line: 'oriSum' },
    batchActions: false,
  },
  storeout: {
    base: '/yonbip/scm/storeout',
    lines: 'details',
    save: 'save',
    mdd: false,
    direction: 0,
    prefix: 'DCD',
    required: { outorg: 'org', inorg: 'org', outwarehouse: 'warehouse', inwarehouse: 'warehouse', bustype: 'bustype' },
  },
  // EFI 应收单 (yonyou-api.md §3.5.7): checked by efi.ts, numbered by the emulator, unique by extSystemCode+extVouchCode.
  receivable: {
    base: '/yonbip/EFI/receivable',
    lines: 'bodyItem',
    save: 'save',
    mdd: true,
    direction: 0,
    prefix: 'AR',
    required: {},
    efi: true,
    statusPaths: { audit: 'audit', unaudit: 'unaudit' },
  },
  // EFI 收款单 (yonyou-api.md §3.5.7): efi-collection.ts; its audit writes off the 应收单 its rows name.
  collection: {
    base: '/yonbip/EFI/collection',
    lines: 'bodyItem',
    save: 'save',
    mdd: true,
    direction: 0,
    prefix: 'SK',
    required: {},
    efi: true,
    statusPaths: { audit: 'audit', unaudit: 'unaudit' },
  },
};

const REF_CAPTION: Record<RefType, string> = {
  org: '组织',
  customer: '客户',
  vendor: '供应商',
  product: '物料',
  warehouse: '仓库',
  currency: '币种',
  unit: '计量单位',
  bustype: '交易类型',
  settlemode: '结算方式',
  bankaccount: '企业银行账号',
};

export interface Reference {
  id: bigint;
  code: string;
  name: string;
}

export interface StoredDocument {
  id: bigint;
  kind: string;
  code: string;
  /** 0 开立, 1 已审核. */
  status: 0 | 1;
  pubts: string;
  header: Record<string, unknown>;
  lines: (Record<string, unknown> & { id: bigint })[];
  /** EFI 应收单: 原币 written off by audited 收款单 (efi-collection.ts). */
  writtenOff?: Decimal;
}

export type Refusal = { ok: false; message: string };
export type Saved = { ok: true; document: StoredDocument };

export const DEFAULT_REFERENCES: Record<RefType, [string, string][]> = {
  org: [['100', '总部']],
  customer: [
    ['TM-YS01', '天猫旗舰店'],
    ['JD-YS02', '京东自营'],
  ],
  vendor: [['VEN001', '默认供应商']],
  product: [
    ['A1001-BLK', '运动T恤 黑'],
    ['G2001', '赠品袋'],
    ['A3001-SET', '套装'],
  ],
  warehouse: [
    ['CK001', '成品仓'],
    ['CK002', '电商仓'],
  ],
  currency: [
    ['CNY', '人民币'],
    ['USD', '美元'],
  ],
  unit: [['Pcs', '件']],
  bustype: [
    ['A30001', '普通销售出库'],
    ['A10001', '其他出库'],
    ['A08001', '其他入库'],
    ['A15001', '普通采购入库'],
    ['A33001', '直接调拨'],
    ['A29001', '盘点差异'],
    ['XSTH01', "销售退货 (the emulator tenant's type)"],
    ['CGTH01', "采购退货 (the emulator tenant's red 采购入库 type)"],
    ['ar_colsale', '销售应收 (the documented example 应收 / 收款 type)'],
  ],
  settlemode: [['system_0001', '银行转账 (the documented example 结算方式)']],
  bankaccount: [['6222000000000001', "平台回款账户 (the emulator tenant's 企业银行账号)"]],
};

/** First id the emulator hands out: beyond 2^53, as real YonSuite ids are. */
const FIRST_ID = 1_728_256_786_694_144_000n;

export class YonyouState {
  private nextId = FIRST_ID;
  private readonly references = new Map<RefType, Map<string, Reference>>();
  private readonly documents = new Map<string, Map<bigint, StoredDocument>>();
  /** Stock per `warehouse|product` (codes). */
  readonly stock = new Map<string, number>();

  constructor(
    references: Record<RefType, [string, string][]> = DEFAULT_REFERENCES,
    private readonly openingStock = 100_000,
    readonly now: () => number = Date.now,
  ) {
    for (const [type, list] of Object.entries(references) as [RefType, [string, string][]][]) {
      const byKey = new Map<string, Reference>();
      for (const [code, name] of list) {
        const reference = { id: this.newId(), code, name };
        byKey.set(code, reference);
        byKey.set(reference.id.toString(), reference);
      }
      this.references.set(type, byKey);
    }
    for (const kind of Object.keys(BILL_KINDS)) this.documents.set(kind, new Map());
  }

  /** A reference by id (text or number) or code, as the APIs accept them ("传入id或code"). */
  resolve(type: RefType, value: unknown): Reference | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    return this.references.get(type)?.get(String(value));
  }

  /** Adds (or renames) a reference, e.g. a master record saved through the API (master-data.ts). */
  addReference(type: RefType, code: string, name: string): Reference {
    const byKey = this.references.get(type)!;
    const reference = byKey.get(code) ?? { id: this.newId(), code, name };
    reference.name = name;
    byKey.set(code, reference);
    byKey.set(reference.id.toString(), reference);
    return reference;
  }

  documentsOf(kind: string): StoredDocument[] {
    return [...(this.documents.get(kind)?.values() ?? [])];
  }

  find(kind: string, id: string): StoredDocument | undefined {
    return /^\d+$/.test(id) ? this.documents.get(kind)?.get(BigInt(id)) : undefined;
  }

  balance(warehouse: string, product: string): number {
    return this.stock.get(`${warehouse}|${product}`) ?? this.openingStock;
  }

  /** A single save: Insert (new document) or Update (`id` of an open document). */
  save(kindName: string, data: Record<string, unknown>): Saved | Refusal {
    const kind = BILL_KINDS[kindName]!;
    if (kind.efi) {
      const check = kindName === COLLECTION_KIND ? checkEfiCollection : checkEfiReceivable;
      const refusal = check(this, data, this.documentsOf(kindName));
      return refusal ?? { ok: true, document: this.store(kindName, undefined, '', data) };
    }
    const update = data._status === 'Update';
    const existing = update ? this.find(kindName, String(data.id ?? '')) : undefined;
    if (update && !existing) return refuse('1002 数据不存在：单据id不存在');
    if (existing && existing.status !== 0) return refuse(`保存失败：单据[${existing.code}]已审核，不能修改`);
    for (const [field, type] of Object.entries(kind.required)) {
      if (data[field] === undefined || data[field] === null || data[field] === '')
        return refuse(`保存失败：${REF_CAPTION[type]}(${field})不能为空`);
      if (!this.resolve(type, data[field]))
        return refuse(`保存失败：${REF_CAPTION[type]}[${String(data[field])}]不存在`);
    }
    if (typeof data.vouchdate !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(data.vouchdate))
      return refuse('保存失败：单据日期(vouchdate)不能为空');
    const lines = data[kind.lines];
    if (!Array.isArray(lines) || lines.length === 0) return refuse(`保存失败：表体(${kind.lines})不能为空`);
    const code =
      typeof data.code === 'string' && data.code !== ''
        ? data.code
        : (existing?.code ?? `${kind.prefix}${String(this.nextId).slice(-8)}`);
    const taken = this.documentsOf(kindName).find((one) => one.code === code && one !== existing);
    // Assumption (yonyou-api.md §9 q4): a manual number already used is refused like this.
    if (taken) return refuse(`保存失败：单据编号[${code}]已存在`);
    const moves: [string, string, number][] = [];
    const names = kind.lineFields;
    const red = this.isRed(kind, data);
    const signs = new Set<number>();
    for (const [index, raw] of (lines as Record<string, unknown>[]).entries()) {
      const row = index + 1;
      const productValue = names ? raw[names.product] : raw.product;
      const product = this.resolve('product', productValue);
      if (!product) return refuse(`保存失败：第${row}行物料[${String(productValue ?? '')}]不存在`);
      const warehouseValue = names ? raw[names.warehouse] : (raw.warehouse ?? data.warehouse ?? data.outwarehouse);
      const warehouse = this.resolve('warehouse', warehouseValue);
      if (!warehouse) return refuse(`保存失败：第${row}行仓库[${String(warehouseValue ?? '')}]不存在`);
      const unitValue = names ? raw[names.unit] : (raw.stockUnit ?? raw.unit);
      if (unitValue !== undefined && !this.resolve('unit', unitValue))
        return refuse(`保存失败：第${row}行计量单位[${String(unitValue)}]不存在`);
      const qtyField = kind.qtyField ?? 'qty';
      const qty = Number(raw[qtyField]);
      const signed = qtyField !== 'qty' || red;
      if (!Number.isFinite(qty) || qty === 0 || (!signed && qty < 0))
        return refuse(`保存失败：第${row}行数量(${qtyField})${signed ? '不能为0' : '必须大于0'}`);
      signs.add(Math.sign(qty));
      if (red && signs.size > 1) return refuse(`保存失败：红字单据第${row}行数量(${qtyField})与其他行正负不一致`);
      if (kind.direction !== 0) moves.push([warehouse.code, product.code, this.stockChange(kind, red, qty)]);
    }
    if (kind.sumCheck) {
      const { header, line } = kind.sumCheck;
      let total = new Decimal(0);
      let stated: Decimal;
      try {
        for (const [index, raw] of (lines as Record<string, unknown>[]).entries())
          total = total.plus(toDecimal(raw[line], `${kind.lines}[${index}].${line}`));
        stated = toDecimal(data[header], header);
      } catch (error) {
        return refuse(`保存失败：${(error as Error).message}`);
      }
      if (!total.equals(stated))
        return refuse(`保存失败：${header}[${stated.toFixed()}]与表体${line}合计[${total.toFixed()}]不一致`);
    }
    // Insufficient stock is refused as the documented generic 999 with the reason in the message.
    const previous = existing ? this.movesOf(existing) : [];
    const after = new Map<string, number>();
    for (const [warehouse, product, change] of [
      ...previous.map(([w, p, q]) => [w, p, -q] as [string, string, number]),
      ...moves,
    ]) {
      const key = `${warehouse}|${product}`;
      after.set(key, (after.get(key) ?? this.balance(warehouse, product)) + change);
    }
    for (const [key, quantity] of after)
      if (quantity < 0) return refuse(`保存失败：检查存量是否充足，[${key.replace('|', '/')}]现存量不足`);
    for (const [key, quantity] of after) this.stock.set(key, quantity);
    return { ok: true, document: this.store(kindName, existing, code, data) };
  }

  /** Keeps a checked document (new, or `existing` updated); an empty `code` gets the kind's auto number. */
  private store(
    kindName: string,
    existing: StoredDocument | undefined,
    code: string,
    data: Record<string, unknown>,
  ): StoredDocument {
    const kind = BILL_KINDS[kindName]!;
    const document: StoredDocument = existing ?? {
      id: this.newId(),
      kind: kindName,
      code,
      status: 0,
      pubts: '',
      header: {},
      lines: [],
    };
    const header = Object.fromEntries(
      Object.entries(data).filter(
        ([key]) => key !== kind.lines && key !== 'resubmitCheckKey' && key !== '_status' && key !== 'id',
      ),
    );
    Object.assign(document, {
      code: code === '' ? `${kind.prefix}${String(document.id).slice(-8)}` : code,
      header,
      pubts: this.pubts(),
      lines: (data[kind.lines] as Record<string, unknown>[]).map((line) => ({ ...line, id: this.newId() })),
    });
    this.documents.get(kindName)!.set(document.id, document);
    return document;
  }

  /** 审核 / 弃审 of one document: the state action's per-row outcome. */
  setStatus(kindName: string, id: string, audit: boolean): string | undefined {
    const document = this.find(kindName, id);
    if (!document) return `单据[${id}]不存在`;
    if (audit && document.status === 1) return `单据[${document.code}]已审核，不能重复审核`;
    if (!audit && document.status === 0) return `单据[${document.code}]未审核，不能弃审`;
    if (BILL_KINDS[kindName]!.efi) {
      const refused = efiStatusChange(this, document, audit);
      if (refused) return refused;
    }
    document.status = audit ? 1 : 0;
    document.pubts = this.pubts();
    return undefined;
  }

  /** The key a sink finds the document by: the EFI 外部系统单号 (extVouchCode) when it has one, else its 单据编号. */
  businessKey(document: StoredDocument): string {
    const external = document.header.extVouchCode;
    return BILL_KINDS[document.kind]?.efi && typeof external === 'string' && external !== '' ? external : document.code;
  }

  /** The document as the detail API shows it. */
  view(document: StoredDocument): Record<string, unknown> {
    return {
      ...document.header,
      ...writeOffView(document),
      id: document.id,
      code: document.code,
      status: document.status,
      pubts: document.pubts,
      [BILL_KINDS[document.kind]!.lines]: document.lines,
    };
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.documents].map(([kind, map]) => [kind, map.size]));
  }

  private movesOf(document: StoredDocument): [string, string, number][] {
    const kind = BILL_KINDS[document.kind]!;
    if (kind.direction === 0) return [];
    const names = kind.lineFields;
    const red = this.isRed(kind, document.header);
    return document.lines.map((line) => [
      this.resolve('warehouse', names ? line[names.warehouse] : (line.warehouse ?? document.header.warehouse))!.code,
      this.resolve('product', names ? line[names.product] : line.product)!.code,
      this.stockChange(kind, red, Number(line.qty)),
    ]);
  }

  /** A red (退货) document: its transaction type is one of the kind's return types (given by id or code). */
  private isRed(kind: BillKind, header: Record<string, unknown>): boolean {
    const bustype = this.resolve('bustype', header.bustype);
    return bustype !== undefined && (kind.returnBustypes ?? []).includes(bustype.code);
  }

  /** The stock change of one line: a red document moves against the kind's direction, whatever the quantity's sign. */
  private stockChange(kind: BillKind, red: boolean, qty: number): number {
    return red ? -kind.direction * Math.abs(qty) : kind.direction * qty;
  }

  private newId(): bigint {
    return this.nextId++;
  }

  /** Server timestamp `yyyy-MM-dd HH:mm:ss` (Beijing time). */
  private pubts(): string {
    return new Date(this.now() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  }
}

function refuse(message: string): Refusal {
  return { ok: false, message };
}
