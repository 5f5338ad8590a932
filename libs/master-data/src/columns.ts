import { ENTITY_SCHEMAS, type EntityName } from './entities';

/**
 * Spreadsheet columns of the master-data files (CLI import/export, admin API import). A file's header cell is the
 * Chinese label and the field name, `仓库编码 sourceCode` (what export writes), or the field name alone; both are
 * read. A field without a label here (added later) is written and read by its field name.
 */
const FIELD_LABELS: Record<string, string> = {
  sourceSystem: '来源系统',
  number: '组织编码',
  sourceCode: '来源编码',
  name: '名称',
  kingdeeStockNumber: '金蝶仓库编码',
  stockOrg: '库存组织',
  shopCode: '店铺编码',
  shopName: '店铺名称',
  customerNumber: '金蝶客户编码',
  deliveryOrg: '发货组织',
  saleOrg: '销售组织',
  skuCode: '商品编码',
  materialNumber: '金蝶物料编码',
  unit: '单位',
  batchRule: '批号规则',
  fixedBatch: '固定批号',
  kingdeeSupplierNumber: '金蝶供应商编码',
  feeType: '费用类型',
  accountNumber: '会计科目编码',
  expenseItem: '费用项目',
  code: '币别代码',
  kingdeeCurrencyNumber: '金蝶币别编码',
  amountDigits: '金额小数位',
  month: '月份',
  rate: '汇率',
};

/** The entity's fields in schema order (the column order of an export). */
export function entityFields(entity: EntityName): string[] {
  return Object.keys((ENTITY_SCHEMAS[entity] as unknown as { shape: Record<string, unknown> }).shape);
}

/** `金蝶仓库编码 kingdeeStockNumber`: the header an export writes, and how a message names a column. */
export function columnHeader(field: string): string {
  const label = FIELD_LABELS[field];
  return label ? `${label} ${field}` : field;
}

/** The field a header cell names (`中文 field`, `field`, or the Chinese label alone), or undefined. */
export function fieldOfColumn(entity: EntityName, header: string): string | undefined {
  const text = header.trim();
  const fields = entityFields(entity);
  const last = text.split(/\s+/).pop() ?? '';
  if (fields.includes(last)) return last;
  return fields.find((field) => FIELD_LABELS[field] === text);
}
