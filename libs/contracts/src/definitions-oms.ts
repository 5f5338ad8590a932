/**
 * The canonical events of the reverse flows (out of Kingdee into an OMS: F1, F5–F10 reverse), one of the parts of
 * CANONICAL_DEFINITIONS (definitions.ts keeps the order the generated files follow). A separate type per direction:
 * a sink consumes only what it may post, so Kingdee's own bill is never posted back into Kingdee.
 */
import { type AvroSchema, PRICE, QUANTITY, field, optional, list, record, billNumber, billDate, remark, document } from './schema-blocks';
import type { CanonicalDefinition } from './definitions';

export const OMS_DEFINITIONS: CanonicalDefinition[] = [
  {
    // Out of Kingdee (reverse flow F5 in the WDT project): an OMS sink consumes it, never sink-kingdee/sink-yonyou —
    // a separate type from purchase_instock so Kingdee's own bill is never posted back into Kingdee.
    documentType: 'oms_purchase_instock',
    flows: ['F5'],
    kingdeeForms: [],
    schema: omsStockBill({
      name: 'OmsPurchaseInStock',
      doc: '采购入库 for an OMS: an audited Kingdee 采购入库单 (STK_InStock) to push to the OMS (F5, Kingdee → OMS).',
      form: 'STK_InStock',
      warehouse: '入库仓',
      entryId: 'FInStockEntry_FEntryID',
      quantity: '实收数量',
    }),
  },
  {
    // Out of Kingdee (reverse flow F6 in the WDT project), the same shape as oms_purchase_instock in the other
    // direction: a type of its own rather than a direction flag, so a sink subscribes to what it may post (one topic,
    // one meaning) and oms_purchase_instock v1 stays as released; never purchase_return, so Kingdee's own bill is
    // never posted back into Kingdee.
    documentType: 'oms_purchase_return',
    flows: ['F6'],
    kingdeeForms: [],
    schema: omsStockBill({
      name: 'OmsPurchaseReturn',
      doc: '采购退货 for an OMS: an audited Kingdee 采购退料单 (PUR_MRB) to push to the OMS (F6, Kingdee → OMS; stock goes down).',
      form: 'PUR_MRB',
      warehouse: '退货仓',
      entryId: 'FPURMRBENTRY_FEntryID',
      quantity: '实退数量',
    }),
  },
  {
    // Out of Kingdee (reverse flows F7/F8 in the WDT project): the purchase flows' shape without a supplier, each a
    // type of its own (one topic, one meaning); never other_instock / other_outstock, which sink-kingdee consumes.
    documentType: 'oms_other_instock',
    flows: ['F7'],
    kingdeeForms: [],
    schema: omsStockBill({
      name: 'OmsOtherInStock',
      doc: '其他入库 for an OMS: an audited Kingdee 其他入库单 (STK_MISCELLANEOUS) to push to the OMS (F7, Kingdee → OMS; stock goes up).',
      form: 'STK_MISCELLANEOUS',
      warehouse: '收货仓库',
      entryId: 'FEntity_FEntryID',
      quantity: '实收数量',
      purchase: false,
    }),
  },
  {
    documentType: 'oms_other_outstock',
    flows: ['F8'],
    kingdeeForms: [],
    schema: omsStockBill({
      name: 'OmsOtherOutStock',
      doc: '其他出库 for an OMS: an audited Kingdee 其他出库单 (STK_MisDelivery) to push to the OMS (F8, Kingdee → OMS; stock goes down).',
      form: 'STK_MisDelivery',
      warehouse: '发货仓库',
      entryId: 'FEntity_FEntryID',
      quantity: '实发数量',
      purchase: false,
    }),
  },
  {
    // Out of Kingdee (reverse flow F9 in the WDT project): one source and one destination warehouse per bill (a WDT
    // 调拨单 has one of each); never transfer, which sink-kingdee consumes.
    documentType: 'oms_transfer',
    flows: ['F9'],
    kingdeeForms: [],
    schema: omsStockBill({
      name: 'OmsTransfer',
      doc: '调拨 for an OMS: an audited Kingdee 直接调拨单 (STK_TransferDirect) to push to the OMS (F9, Kingdee → OMS; stock moves from one warehouse to the other).',
      form: 'STK_TransferDirect',
      warehouse: 'transfer',
      entryId: 'FBillEntry_FEntryID',
      quantity: '调拨数量',
      purchase: false,
    }),
  },
  {
    // Out of Kingdee (reverse flow F10 in the WDT project): an audited 盘盈单 or 盘亏单, one type for both (the direction
    // and the origin form say which); never stock_count, which sink-kingdee consumes.
    documentType: 'oms_stock_count',
    flows: ['F10'],
    kingdeeForms: [],
    schema: omsStockBill({
      name: 'OmsStockCount',
      doc: '盘点 for an OMS: an audited Kingdee 盘盈单 (STK_StockCountGain) or 盘亏单 (STK_StockCountLoss) to push to the OMS as a 盘点单 setting the counted stock (F10, Kingdee → OMS).',
      form: 'STK_StockCountGain / STK_StockCountLoss',
      warehouse: '盘点仓库',
      entryId: 'FBillEntry_FEntryID',
      quantity: '盘盈数量 / 盘亏数量',
      purchase: false,
      stockCount: true,
    }),
  },
  {
    // Out of Kingdee (reverse flow F1, the Jushuitan project's rules): an OMS sink consumes it, never sink-kingdee —
    // a separate type from material so a Kingdee material is never posted back into Kingdee.
    documentType: 'oms_goods',
    flows: ['F1'],
    kingdeeForms: [],
    schema: document('OmsGoods', '商品 for an OMS: an audited, 是否网销 Kingdee material (BD_MATERIAL) to upload as OMS goods (F1, Kingdee → OMS).', [
      field('sku', 'string', "商品编码: the OMS's goods code (JST sku_id) = the Kingdee material number (FNumber)."),
      field('styleCode', 'string', '款式编码 (JST i_id): the Kingdee material number unless a rule says otherwise.'),
      field('name', 'string', '商品名称 = 物料名称 (FName).'),
      optional('specification', 'string', '规格 (JST properties_value) = 规格型号 (FSpecification).'),
      optional('barcode', 'string', '条码 / 国际码 (JST sku_code) = 条码 (FBARCODE), when the material has one.'),
      field('unit', 'string', '单位: the smallest unit, the material\'s 基本单位 (FBaseUnitId), by its Kingdee number.'),
      field('batch', 'string', 'Batch for the OMS: fixed "0" (the Jushuitan project\'s rule).'),
      field('enabled', 'boolean', 'False when the material is forbidden (禁用) in Kingdee.'),
      field('originForm', 'string', 'Origin in Kingdee (loop guard and trace): BD_MATERIAL.'),
      field('originId', 'string', 'Origin in Kingdee: FMATERIALID.'),
    ]),
  },
];

/**
 * A Kingdee stock bill pushed to an OMS (F5–F10 reverse): OMS codes already mapped, the Kingdee origin kept for the
 * loop guard and the trace. The texts name each form's own fields; the fields are the same.
 */
function omsStockBill(spec: { name: string; doc: string; form: string; warehouse: string; entryId: string; quantity: string; purchase?: false; stockCount?: true }): AvroSchema {
  // A transfer names two warehouses (调出 / 调入), every other stock bill one.
  const warehouses =
    spec.warehouse === 'transfer'
      ? [
          field('fromWarehouse', 'string', "调出仓库: the OMS's source warehouse code (e.g. WDT from_warehouse_no), mapped from the Kingdee 调出仓库."),
          field('toWarehouse', 'string', "调入仓库: the OMS's destination warehouse code (e.g. WDT to_warehouse_no), mapped from the Kingdee 调入仓库."),
        ]
      : [field('warehouse', 'string', `${spec.warehouse}: the OMS's warehouse code (e.g. WDT warehouse_no), mapped from the Kingdee stock.`)];
  // Other in/out bills have no supplier nor purchase order: those fields exist on the purchase types only.
  const purchase =
    spec.purchase === false
      ? []
      : [
          optional('provider', 'string', "供应商: the OMS's provider code (e.g. WDT provider_no), mapped from the Kingdee supplier."),
          optional('purchaseOrderNumber', 'string', '采购订单号 (FPOOrderNo of the first line) when the bill has one.'),
        ];
  // A stock count says which way the stock went and what was counted: the OMS is set to the counted stock.
  const direction = spec.stockCount ? [field('direction', 'string', 'GAIN (盘盈单) or LOSS (盘亏单).')] : [];
  const counted = spec.stockCount
    ? [
        field('countedQuantity', QUANTITY, '盘点数量 (FCountQty): the counted stock, ≥ 0 — what the OMS stock is set to.'),
        optional('bookQuantity', QUANTITY, '账存数量 (FAcctQty): the book stock in Kingdee before the count.'),
      ]
    : [];
  return document(spec.name, spec.doc, [
    billNumber,
    billDate,
    field('originForm', 'string', `Origin in Kingdee (loop guard and trace): the form id, ${spec.form}.`),
    field('originId', 'string', 'Origin in Kingdee: FID of the bill.'),
    field('originBillNumber', 'string', 'Origin in Kingdee: FBillNo of the bill.'),
    ...warehouses,
    ...direction,
    ...purchase,
    remark,
    field(
      'lines',
      list(
        record(`${spec.name}Line`, 'One line.', [
          field('lineId', 'string', `Kingdee entry id (${spec.entryId}).`),
          field('material', 'string', 'Kingdee material number, for tracing.'),
          field('sku', 'string', "The OMS's item code (e.g. WDT spec_no 商家编码), mapped from the material."),
          field('quantity', QUANTITY, `${spec.quantity}, positive.`),
          ...counted,
          optional('price', PRICE, '单价 (tax-exclusive).'),
          optional('batch', 'string', '批号.'),
        ]),
      ),
      'Lines.',
    ),
  ]);
}
