/**
 * Canonical business events, defined once here with shared building blocks and written out as standalone
 * `.avsc` files (libs/contracts/avro/canonical/<documentType>.avsc) by `npx tsx libs/contracts/src/cli.ts generate`.
 * Each file is self-contained (no schema references), so any Confluent-API registry accepts it as is.
 *
 * Conventions:
 * - money, prices, quantities and rates are Avro decimals (bytes + logicalType decimal) at a fixed scale;
 *   every money-bearing document names its currency;
 * - org, warehouse, customer, supplier, material are Kingdee numbers (FNumber) already resolved by mapping;
 * - every event carries `source` (who, which document, which version) and `mapping` (which rule version),
 *   so the sink derives a deterministic bill number and anyone can trace a Kingdee bill back to its source.
 */

import {
  type AvroSchema,
  AMOUNT,
  PRICE,
  QUANTITY,
  RATE,
  field,
  optional,
  list,
  record,
  billNumber,
  billDate,
  remark,
  money,
  stockLine,
  pricedExtras,
  document,
  org,
} from './schema-blocks';
import { OMS_DEFINITIONS } from './definitions-oms';

export { AMOUNT, DECIMAL_SCALES, PRICE, QUANTITY, RATE } from './schema-blocks';

export interface CanonicalDefinition {
  /** Canonical document type: topic `canonical.<documentType>`, file `<documentType>.avsc`. */
  documentType: string;
  flows: string[];
  /** Kingdee form(s) the sink writes. */
  kingdeeForms: string[];
  schema: AvroSchema;
}


export const CANONICAL_DEFINITIONS: CanonicalDefinition[] = [
  {
    documentType: 'sales_outstock',
    flows: ['F3'],
    kingdeeForms: ['SAL_OUTSTOCK'],
    schema: document('SalesOutStock', '销售出库单 sales out-stock (F3).', [
      billNumber,
      billDate,
      org('saleOrg', '销售组织'),
      org('deliveryOrg', '发货组织 (FStockOrgId)'),
      org('owner', '货主'),
      optional('settleOrg', 'string', '结算组织; null = sale org.'),
      field('customer', 'string', '客户: Kingdee customer number.'),
      ...money(),
      optional('logisticsNumber', 'string', '物流单号 (custom field in Kingdee).'),
      optional('onlineOrderNumber', 'string', '线上订单号 (custom field in Kingdee).'),
      remark,
      field('lines', list(stockLine('SalesOutStockLine', pricedExtras())), 'Lines.'),
    ]),
  },
  {
    documentType: 'sales_return',
    flows: ['F4'],
    kingdeeForms: ['SAL_RETURNSTOCK'],
    schema: document('SalesReturn', '销售退货单 sales return received into stock (F4).', [
      billNumber,
      billDate,
      org('saleOrg', '销售组织'),
      org('stockOrg', '库存组织'),
      org('settleOrg', '结算组织'),
      org('owner', '货主'),
      field('customer', 'string', '退货客户: Kingdee customer number.'),
      ...money(),
      optional('returnReason', 'string', '退货原因.'),
      optional('onlineOrderNumber', 'string', '线上订单号.'),
      remark,
      field('lines', list(stockLine('SalesReturnLine', pricedExtras())), 'Lines (退货数量 = quantity).'),
    ]),
  },
  {
    documentType: 'purchase_instock',
    flows: ['F5'],
    kingdeeForms: ['STK_InStock'],
    schema: document('PurchaseInStock', '采购入库单 purchase in-stock (F5).', [
      billNumber,
      billDate,
      org('stockOrg', '收料组织'),
      org('purchaseOrg', '采购组织'),
      org('settleOrg', '结算组织'),
      org('owner', '货主'),
      field('supplier', 'string', '供应商: Kingdee supplier number.'),
      ...money(),
      optional('purchaseOrderNumber', 'string', '采购订单号.'),
      remark,
      field('lines', list(stockLine('PurchaseInStockLine', pricedExtras())), 'Lines.'),
    ]),
  },
  {
    documentType: 'purchase_return',
    flows: ['F6'],
    kingdeeForms: ['PUR_MRB'],
    schema: document('PurchaseReturn', '采购退料单 purchase return (F6).', [
      billNumber,
      billDate,
      org('stockOrg', '退料组织'),
      org('purchaseOrg', '采购组织'),
      org('settleOrg', '结算组织'),
      org('owner', '货主'),
      field('supplier', 'string', '供应商: Kingdee supplier number.'),
      ...money(),
      optional('purchaseOrderNumber', 'string', '采购订单号.'),
      remark,
      field('lines', list(stockLine('PurchaseReturnLine', pricedExtras())), 'Lines (实退数量 = quantity).'),
    ]),
  },
  {
    documentType: 'other_instock',
    flows: ['F7'],
    kingdeeForms: ['STK_MISCELLANEOUS'],
    schema: document('OtherInStock', '其他入库单 other in-stock (F7): gifts, samples.', [
      billNumber,
      billDate,
      org('stockOrg', '库存组织'),
      org('owner', '货主'),
      optional('supplier', 'string', '供应商.'),
      optional('department', 'string', '部门.'),
      field('stockDirection', { type: 'enum', name: 'StockDirection', symbols: ['GENERAL', 'RETURN'] }, '库存方向.'),
      remark,
      field('lines', list(stockLine('OtherInStockLine', [optional('price', PRICE, '单价.'), optional('amount', AMOUNT, '金额.')])), 'Lines.'),
    ]),
  },
  {
    documentType: 'other_outstock',
    flows: ['F8'],
    kingdeeForms: ['STK_MisDelivery'],
    schema: document('OtherOutStock', '其他出库单 other out-stock (F8): gifts, scrap.', [
      billNumber,
      billDate,
      org('stockOrg', '库存组织'),
      org('owner', '货主'),
      optional('customer', 'string', '客户 (one of customer/department is required by Kingdee).'),
      optional('department', 'string', '领料部门.'),
      remark,
      field('lines', list(stockLine('OtherOutStockLine')), 'Lines.'),
    ]),
  },
  {
    documentType: 'transfer',
    flows: ['F9'],
    kingdeeForms: ['STK_TransferDirect'],
    schema: document('Transfer', '直接调拨单 transfer (F9); orgs from the out/in warehouses.', [
      billNumber,
      billDate,
      org('outStockOrg', '调出库存组织'),
      org('inStockOrg', '调入库存组织'),
      field('crossOrg', 'boolean', 'True when the out and in orgs differ (跨组织调拨).'),
      org('outOwner', '调出货主'),
      org('inOwner', '调入货主'),
      remark,
      field(
        'lines',
        list(
          record('TransferLine', 'One transfer line.', [
            field('lineId', 'string', 'Source line id.'),
            field('sku', 'string', 'Source item code.'),
            field('material', 'string', '物料编码.'),
            field('unit', 'string', '单位.'),
            field('quantity', QUANTITY, '调拨数量.'),
            field('sourceWarehouse', 'string', '调出仓库: Kingdee stock number.'),
            field('destWarehouse', 'string', '调入仓库: Kingdee stock number.'),
            optional('batch', 'string', '调出批号.'),
            optional('destBatch', 'string', '调入批号.'),
          ]),
        ),
        'Lines.',
      ),
    ]),
  },
  {
    documentType: 'stock_count',
    flows: ['F10'],
    kingdeeForms: ['STK_StockCountGain', 'STK_StockCountLoss'],
    schema: document('StockCount', '盘点 stock-take result (F10): GAIN lines → 盘盈单, LOSS lines → 盘亏单.', [
      billNumber,
      billDate,
      org('stockOrg', '库存组织'),
      org('owner', '货主'),
      remark,
      field(
        'lines',
        list(
          stockLine('StockCountLine', [
            field('direction', { type: 'enum', name: 'CountDirection', symbols: ['GAIN', 'LOSS'] }, '盘盈 GAIN / 盘亏 LOSS.'),
            optional('countedQuantity', QUANTITY, '盘点数量.'),
          ]),
        ),
        'Lines; quantity is the absolute difference.',
      ),
    ]),
  },
  {
    documentType: 'assembly',
    flows: ['F11'],
    kingdeeForms: ['STK_AssembledApp'],
    schema: document('Assembly', '组装拆卸单 assembly/disassembly (F11).', [
      billNumber,
      billDate,
      org('stockOrg', '库存组织'),
      field('affairType', { type: 'enum', name: 'AffairType', symbols: ['ASSEMBLY', 'DISASSEMBLY'] }, '事务类型.'),
      remark,
      field(
        'products',
        list(
          stockLine('AssemblyProduct', [
            field('components', list(stockLine('AssemblyComponent', [optional('costProportion', RATE, '拆卸成本比例 %.')])), '子件.'),
          ]),
        ),
        '成品.',
      ),
    ]),
  },
  {
    documentType: 'material',
    flows: ['F1', 'F2'],
    kingdeeForms: ['BD_MATERIAL'],
    schema: document('Material', '物料 material / 商品 goods (F1 Kingdee → OMS, F2 OMS → Kingdee).', [
      field('number', 'string', '物料编码 / 商品编码.'),
      field('name', 'string', '物料名称.'),
      optional('barcode', 'string', '条码.'),
      optional('specification', 'string', '规格型号.'),
      field('baseUnit', 'string', '基本单位 (smallest unit).'),
      org('createOrg', '创建组织'),
      field('useOrgs', list('string'), '使用组织: allocated to each (多组织自动分配).'),
      field('batchManaged', 'boolean', '启用批号管理.'),
      optional('defaultBatch', 'string', 'Batch given to the OMS (F1: fixed "0").'),
      field('soldOnline', 'boolean', '是否网销.'),
      field('enabled', 'boolean', 'False when forbidden (禁用).'),
    ]),
  },
  {
    documentType: 'customer',
    flows: ['F2'],
    kingdeeForms: ['BD_Customer'],
    schema: document('Customer', '客户 customer (F2; shop = customer, platform as AR customer).', [
      field('number', 'string', '客户编码.'),
      field('name', 'string', '客户名称.'),
      org('createOrg', '创建组织'),
      field('useOrgs', list('string'), '使用组织.'),
      field('tradingCurrencyNumber', 'string', '结算币别: Kingdee currency number.'),
      optional('group', 'string', '客户分组.'),
      field('enabled', 'boolean', 'False when forbidden.'),
    ]),
  },
  {
    documentType: 'supplier',
    flows: ['F2'],
    kingdeeForms: ['BD_Supplier'],
    schema: document('Supplier', '供应商 supplier (F2); one company with several roles is split into one per role.', [
      field('number', 'string', '供应商编码.'),
      field('name', 'string', '供应商名称.'),
      org('createOrg', '创建组织'),
      field('useOrgs', list('string'), '使用组织.'),
      field('payCurrencyNumber', 'string', '结算币别: Kingdee currency number.'),
      field('role', { type: 'enum', name: 'SupplierRole', symbols: ['GOODS', 'LOGISTICS', 'SERVICE'] }, 'Role of this supplier record.'),
      field('enabled', 'boolean', 'False when forbidden.'),
    ]),
  },
  {
    documentType: 'warehouse',
    flows: ['F2'],
    kingdeeForms: ['BD_STOCK'],
    schema: document('Warehouse', '仓库 warehouse (F2).', [
      field('number', 'string', '仓库编码.'),
      field('name', 'string', '仓库名称.'),
      org('createOrg', '创建组织'),
      field('useOrgs', list('string'), '使用组织.'),
      field('allowNegativeStock', 'boolean', '允许负库存.'),
      field('enabled', 'boolean', 'False when forbidden.'),
    ]),
  },
  {
    documentType: 'sales_order',
    flows: ['F12'],
    kingdeeForms: ['SAL_SaleOrder'],
    schema: document('SalesOrder', '销售订单 sales order, cross-border (F12), multi-currency.', [
      billNumber,
      billDate,
      org('saleOrg', '销售组织'),
      field('customer', 'string', '客户 (the platform under marketplace-collects-payment).'),
      optional('marketplace', 'string', 'Marketplace / site, e.g. Amazon US.'),
      optional('platformOrderNumber', 'string', 'Platform order id.'),
      field('status', { type: 'enum', name: 'SalesOrderStatus', symbols: ['OPEN', 'SHIPPED', 'PAID', 'CANCELLED'] }, 'Order status.'),
      ...money(),
      remark,
      field(
        'lines',
        list(
          record('SalesOrderLine', 'One order line.', [
            field('lineId', 'string', 'Source line id.'),
            field('sku', 'string', 'Seller SKU.'),
            field('material', 'string', '物料编码.'),
            field('unit', 'string', '单位.'),
            field('quantity', QUANTITY, '数量.'),
            field('taxInclusivePrice', PRICE, '含税单价.'),
            field('amount', AMOUNT, '价税合计.'),
            optional('taxRate', RATE, '税率 %.'),
            optional('taxAmount', AMOUNT, '税额.'),
          ]),
        ),
        'Lines.',
      ),
    ]),
  },
  {
    documentType: 'first_leg_shipment',
    flows: ['F13'],
    kingdeeForms: ['STK_TransferDirect'],
    schema: document('FirstLegShipment', 'FBA 头程 first-leg shipment (F13): stock moves to the FBA warehouse, fees into cost.', [
      billNumber,
      billDate,
      org('stockOrg', '库存组织'),
      field('sourceWarehouse', 'string', '发货仓: Kingdee stock number.'),
      field('destWarehouse', 'string', 'FBA 仓: Kingdee stock number.'),
      optional('carrier', 'string', '物流商: Kingdee supplier number.'),
      field('purchaseOrderNumbers', list('string'), 'Linked purchase orders.'),
      field('trackingNumbers', list('string'), 'Tracking numbers.'),
      field('status', 'string', 'Shipment status as reported by the source.'),
      ...money(),
      optional('destStockOrg', 'string', '调入库存组织 (the FBA warehouse\'s org); null = stockOrg.'),
      field('lines', list(stockLine('FirstLegShipmentLine', [optional('firstLegCost', AMOUNT, '头程费用: the shipment\'s first-leg cost allocated to this line (document currency), the lines summing exactly to the fees.')])), 'Goods shipped.'),
      field(
        'fees',
        list(
          record('FirstLegFee', 'Logistics fee of the shipment.', [
            field('feeType', 'string', 'Source fee type.'),
            field('expenseItem', 'string', '费用项目: Kingdee expense item number.'),
            field('amount', AMOUNT, 'Amount in the document currency.'),
          ]),
        ),
        'Fees carried into inventory cost.',
      ),
    ]),
  },
  {
    documentType: 'fee_settlement',
    flows: ['F15'],
    kingdeeForms: ['AP_Payable'],
    schema: document('FeeSettlement', '平台结算 platform fee settlement (F15), fees classified to accounts.', [
      billNumber,
      field('settlementId', 'string', 'Platform settlement id.'),
      field('periodStart', 'string', 'Settlement period start yyyy-MM-dd.'),
      field('periodEnd', 'string', 'Settlement period end yyyy-MM-dd.'),
      optional('depositDate', 'string', 'Deposit date yyyy-MM-dd.'),
      org('settleOrg', '结算组织'),
      field('customer', 'string', 'Platform customer number.'),
      optional('date', 'string', '业务日期 (FDate) yyyy-MM-dd: the posted date of the settlement row.'),
      optional('supplier', 'string', '平台 as 供应商 (the payee of a 费用应付单): Kingdee supplier number.'),
      optional('marketplace', 'string', 'Marketplace / site.'),
      ...money(),
      field('totalAmount', AMOUNT, 'Deposit total as reported.'),
      field(
        'fees',
        list(
          record('SettlementFee', 'One fee, classified.', [
            field('feeType', 'string', 'Platform fee type (transaction-type/amount-type/description).'),
            field('account', 'string', '会计科目: Kingdee account number.'),
            optional('expenseItem', 'string', '费用项目.'),
            field('amount', AMOUNT, 'Signed amount in the document currency.'),
            optional('sku', 'string', 'SKU the fee is attributed or allocated to.'),
            optional('material', 'string', 'Kingdee material number of `sku`.'),
            optional('orderNumber', 'string', 'Platform order id.'),
            optional(
              'allocation',
              'string',
              'How the fee reached `sku`: direct (the row names it), sales_amount (a shop-level fee allocated over the settlement\'s SKUs by their sales amount, largest remainder), unallocated (no sales to allocate over: a shop expense).',
            ),
            optional('allocationWeight', AMOUNT, 'The weight `sku` was allocated with (its sales amount in the settlement).'),
          ]),
        ),
        'Fees.',
      ),
    ]),
  },
  {
    documentType: 'receivable',
    flows: ['F16'],
    kingdeeForms: ['AR_receivable'],
    schema: document('Receivable', '应收单 receivable (F16).', [
      billNumber,
      billDate,
      optional('dueDate', 'string', '到期日 yyyy-MM-dd.'),
      org('settleOrg', '结算组织'),
      org('saleOrg', '销售组织'),
      field('customer', 'string', '客户.'),
      ...money(),
      optional('sourceForm', 'string', 'Upstream Kingdee form (e.g. SAL_OUTSTOCK) when linked.'),
      optional('sourceBillNumber', 'string', 'Upstream bill number when linked.'),
      optional('marketplace', 'string', 'Marketplace / site of the order.'),
      optional('platformOrderNumber', 'string', 'Platform order id this receivable is for (F12: the marketplace order).'),
      optional('reversesBillNumber', 'string', 'Red receivable (红字应收): the blue receivable whose refunded part it reverses; amounts and quantities negative.'),
      remark,
      field(
        'lines',
        list(
          record('ReceivableLine', 'One receivable line.', [
            field('lineId', 'string', 'Source line id.'),
            optional('material', 'string', '物料编码.'),
            optional('unit', 'string', '计价单位.'),
            field('quantity', QUANTITY, '计价数量.'),
            field('taxInclusivePrice', PRICE, '含税单价.'),
            field('taxRate', RATE, '税率 %.'),
            field('amount', AMOUNT, '价税合计.'),
            field('taxAmount', AMOUNT, '税额.'),
          ]),
        ),
        'Lines.',
      ),
    ]),
  },
  {
    documentType: 'receipt',
    flows: ['F16'],
    kingdeeForms: ['AR_RECEIVEBILL'],
    schema: document('Receipt', '收款单 receipt (F16), matched to receivables.', [
      billNumber,
      billDate,
      org('settleOrg', '结算组织'),
      org('payOrg', '收款组织'),
      field('contactType', { type: 'enum', name: 'ContactType', symbols: ['CUSTOMER', 'SUPPLIER', 'DEPARTMENT', 'OTHER'] }, '往来单位类型.'),
      field('contact', 'string', '往来单位 number.'),
      ...money(),
      field('amount', AMOUNT, '收款金额.'),
      optional('settleType', 'string', '结算方式.'),
      optional('bankAccount', 'string', '我方银行账号.'),
      optional('settlementId', 'string', 'Platform settlement (payout) id.'),
      {
        name: 'writeOffs',
        type: list(
          record('ReceiptWriteOff', 'One receivable this receipt settles (核销), in the original currency.', [
            field('receivableBillNumber', 'string', 'Bill number of the receivable (AR_receivable FBillNo).'),
            optional('orderNumber', 'string', 'Platform order id.'),
            field('amount', AMOUNT, 'Amount written off against that receivable, original currency (negative against a red receivable).'),
          ]),
        ),
        default: [],
        doc: 'Receivables this receipt settles (核销), with the amount per receivable.',
      },
      remark,
    ]),
  },
  ...OMS_DEFINITIONS,
  {
    // Read by the reconciliation (OMS on-hand vs Kingdee STK_Inventory, F17), posted by no sink: a snapshot is a
    // level, not a bill, so nothing in Kingdee is created from it.
    documentType: 'inventory_snapshot',
    flows: ['F17'],
    kingdeeForms: [],
    schema: document('InventorySnapshot', '库存快照 inventory level of one SKU (and batch) in one warehouse, as the OMS reports it at its modified time (F17).', [
      field('warehouseKind', { type: 'enum', name: 'WarehouseKind', symbols: ['FBA', 'OVERSEAS_THIRD_PARTY', 'OWN'] }, '仓库类型: FBA (Amazon), OVERSEAS_THIRD_PARTY (第三方海外仓), OWN (自有仓).'),
      field('warehouse', 'string', "仓库: the OMS's warehouse code (FBA: the shop the stock belongs to, FBA-<shopId>)."),
      optional('stock', 'string', '仓库 in Kingdee: stock number (FStockId) when master data maps the warehouse; null = not mapped.'),
      optional('shop', 'string', 'OMS shop id (FBA stock belongs to a shop).'),
      optional('marketplace', 'string', 'Marketplace id (FBA).'),
      field('sku', 'string', "The OMS's local SKU (商品编码)."),
      optional('sellerSku', 'string', 'Platform seller SKU (MSKU, FBA).'),
      optional('fnsku', 'string', 'Amazon FNSKU (FBA).'),
      field('material', 'string', '物料编码: Kingdee material number, from master data.'),
      optional('unit', 'string', '单位: Kingdee unit number, from master data.'),
      optional('batch', 'string', '批号 exactly as the OMS reports it (carried unchanged); null = no batch.'),
      field('onHand', QUANTITY, '在库数量: physical stock in the warehouse (available + reserved + defective where the OMS gives them).'),
      optional('available', QUANTITY, '可用数量 (FBA: fulfillable).'),
      optional('reserved', QUANTITY, '占用 / 预留数量.'),
      optional('defective', QUANTITY, '次品数量.'),
      optional('inTransit', QUANTITY, '在途 / 待到货数量 (not on hand).'),
      field('snapshotAt', 'string', "快照时间: the OMS's modified time of this level, Beijing local date and time as the OMS writes it (e.g. 2026-12-19 10:15:00)."),
    ]),
  },
];

export function canonicalDefinition(documentType: string): CanonicalDefinition {
  const found = CANONICAL_DEFINITIONS.find((definition) => definition.documentType === documentType);
  if (!found) throw new Error(`unknown canonical document type "${documentType}"`);
  return found;
}
