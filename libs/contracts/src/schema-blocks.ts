/**
 * The building blocks canonical definitions are made of (definitions.ts): Avro field helpers, the decimal types, the
 * source identity and mapping trace every event carries, and the lines and money fields documents share.
 */

export type AvroSchema = Record<string, unknown>;
export type Field = { name: string; type: unknown; doc?: string; default?: unknown };

export const NAMESPACE = 'yecai.canonical';

export const DECIMAL_SCALES = { amount: 2, price: 6, quantity: 6, rate: 8 } as const;
export const decimal = (scale: number) => ({ type: 'bytes', logicalType: 'decimal', precision: 24, scale });
export const AMOUNT = decimal(DECIMAL_SCALES.amount);
export const PRICE = decimal(DECIMAL_SCALES.price);
export const QUANTITY = decimal(DECIMAL_SCALES.quantity);
export const RATE = decimal(DECIMAL_SCALES.rate);
export const TIMESTAMP = { type: 'long', logicalType: 'timestamp-millis' };

export const field = (name: string, type: unknown, doc: string): Field => ({ name, type, doc });
export const optional = (name: string, type: unknown, doc: string): Field => ({ name, type: ['null', type], default: null, doc });
export const list = (items: unknown) => ({ type: 'array', items });
export const record = (name: string, doc: string, fields: Field[]) => ({ type: 'record', name, doc, fields });

/** Source identity: the sink's deterministic bill number and every trace start here. */
export const sourceIdentity = field(
  'source',
  record('SourceIdentity', 'Which source document, which version, read from where.', [
    field('sourceSystem', 'string', 'jushuitan | wangdiantong | lingxing | saihu | kingdee'),
    field('account', 'string', 'Configured source account.'),
    field('documentType', 'string', 'Source document type (raw topic), e.g. sales_outstock.'),
    field('sourceId', 'string', "The document's id in the source system (e.g. JST io_id)."),
    field('sourceModifiedAt', TIMESTAMP, "Source's last-modified time of this version."),
    field('contentHash', 'string', 'sha256 hex of the raw payload: identifies the version.'),
    field('rawTopic', 'string', 'Raw topic the document was read from.'),
    field('rawPartition', 'int', 'Raw topic partition.'),
    field('rawOffset', 'long', 'Raw topic offset (trace only: replays keep the same document key).'),
  ]),
  'Source identity of the document.',
);

export const mappingTrace = field(
  'mapping',
  record('MappingTrace', 'Which rule produced this event.', [
    field('flow', 'string', 'Rule flow id, e.g. jushuitan/sales_outstock.'),
    field('ruleVersion', 'string', 'Rule file version and content hash.'),
    field('mappedAt', TIMESTAMP, 'When mapping produced this event.'),
  ]),
  'Mapping trace.',
);

export const billNumber = field('billNumber', 'string', '单据编号: the number the bill carries in Kingdee (FBillNo).');
export const billDate = field('date', 'string', '日期 (FDate): Beijing local date yyyy-MM-dd.');
export const remark = optional('remark', 'string', '备注.');
export const money = (): Field[] => [
  field('currency', 'string', '结算币别 as configured in the rule (e.g. RMB).'),
  field('currencyNumber', 'string', 'Kingdee currency number (e.g. PRE001), from master data currencies.'),
  optional('exchangeRate', RATE, '汇率 to the local currency; null = Kingdee default.'),
];

/** Stock line shared by every stock bill; `warehouse` is the Kingdee stock number (FStockId). */
export function stockLine(name: string, extra: Field[] = []) {
  return record(name, 'One document line.', [
    field('lineId', 'string', 'Source line id (e.g. JST ioi_id): stable across versions.'),
    field('sku', 'string', 'Source item code (商品编码), for tracing.'),
    field('material', 'string', '物料编码: Kingdee material number.'),
    field('unit', 'string', '单位: Kingdee unit number.'),
    field('quantity', QUANTITY, 'Quantity in `unit`, positive.'),
    optional('warehouse', 'string', '仓库: Kingdee stock number.'),
    optional('batch', 'string', '批号 (FLot); null = no batch.'),
    optional('produceDate', 'string', '生产日期 yyyy-MM-dd.'),
    optional('expiryDate', 'string', '有效期至 yyyy-MM-dd.'),
    optional('note', 'string', 'Line note.'),
    ...extra,
  ]);
}
export const pricedExtras = (): Field[] => [
  optional('taxInclusivePrice', PRICE, '含税单价.'),
  optional('price', PRICE, '单价 (tax-exclusive).'),
  optional('amount', AMOUNT, '价税合计 line amount.'),
  optional('taxRate', RATE, '税率 % (e.g. 13).'),
  field('isGift', 'boolean', '赠品.'),
];

export function document(name: string, doc: string, fields: Field[]): AvroSchema {
  return { type: 'record', name, namespace: NAMESPACE, doc, fields: [sourceIdentity, mappingTrace, ...fields] };
}

export const org = (name: string, doc: string) => field(name, 'string', `${doc}: Kingdee org number.`);
