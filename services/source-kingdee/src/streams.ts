/**
 * The 金蝶 streams, as data (docs/adding-a-source.md § 3, docs/reverse-flows.md): one ExecuteBillQuery form each,
 * its flow condition (flows.md F1, F5–F11) in the FilterString, incremental by FModifyDate.
 */
import { defineStreams, type StreamDefinitionInput } from '@yecai/connector-kit';
import { formQueryShape } from './forms';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Audited (已审核) — every reverse flow reads only audited bills. */
const AUDITED = "FDocumentStatus = 'C'";

export interface KingdeeStreamDeclaration {
  name: string;
  /** Canonical document type (libs/contracts definitions). */
  documentType: string;
  /** Kingdee FormId, queried with ExecuteBillQuery. */
  formId: string;
  /** The flow condition, a FilterString fragment. */
  condition: string;
  description: string;
}

export const KINGDEE_STREAM_DECLARATIONS: KingdeeStreamDeclaration[] = [
  {
    name: 'material',
    documentType: 'material',
    formId: 'BD_MATERIAL',
    // F1: audited AND 是否网销 (custom field F_YC_IsOnline) ticked.
    condition: `${AUDITED} and F_YC_IsOnline = 1`,
    description: '物料 materials sold online (F1)',
  },
  {
    name: 'purchase_instock',
    documentType: 'purchase_instock',
    formId: 'STK_InStock',
    condition: AUDITED,
    description: '采购入库单 (F5)',
  },
  {
    name: 'purchase_return',
    documentType: 'purchase_return',
    formId: 'PUR_MRB',
    condition: AUDITED,
    description: '采购退料单 (F6)',
  },
  {
    name: 'other_instock',
    documentType: 'other_instock',
    formId: 'STK_MISCELLANEOUS',
    condition: AUDITED,
    description: '其他入库单 (F7)',
  },
  {
    name: 'other_outstock',
    documentType: 'other_outstock',
    formId: 'STK_MisDelivery',
    condition: AUDITED,
    description: '其他出库单 (F8)',
  },
  {
    name: 'transfer',
    documentType: 'transfer',
    formId: 'STK_TransferDirect',
    condition: AUDITED,
    description: '直接调拨单 (F9)',
  },
  // F10: 盘盈单 and 盘亏单 are two forms with FIDs of their own (they may repeat across forms): a stream each.
  ...(['gain', 'loss'] as const).map((side) => ({
    name: `stock_count_${side}`,
    documentType: `stock_count_${side}`,
    formId: side === 'gain' ? 'STK_StockCountGain' : 'STK_StockCountLoss',
    condition: AUDITED,
    description: `${side === 'gain' ? '盘盈单' : '盘亏单'} (F10)`,
  })),
  {
    name: 'assembly',
    documentType: 'assembly',
    formId: 'STK_AssembledApp',
    condition: AUDITED,
    description: '组装拆卸单 (F11)',
  },
];

/** Materials were last edited long before the documents' startAt: they start at masterDataStartAt. */
export const KINGDEE_MASTER_STREAMS = ['material'];

const windowed = {
  // ExecuteBillQuery has no window limit; a week keeps one window's FID count query small.
  cursor: {
    kind: 'modified_time',
    maxWindowMs: 7 * DAY,
    windowMs: 60 * MINUTE,
    overlapMs: 5 * MINUTE,
    settleLagMs: MINUTE,
  },
  // Pages of bills (not rows): each page asks its bills' entry rows separately, within Limit 10,000.
  paging: { style: 'page_index_backward', pageSize: 100, maxPageSize: 500 },
  idField: 'FID',
  modifiedField: 'FModifyDate',
  modifiedFormat: 'beijing_datetime',
} as const;

export const KINGDEE_STREAMS = defineStreams(
  'kingdee',
  KINGDEE_STREAM_DECLARATIONS.map((stream): StreamDefinitionInput => ({
    ...windowed,
    name: stream.name,
    documentType: stream.documentType,
    endpoint: stream.formId,
    description: stream.description,
    idField: formQueryShape(stream.formId).idKey,
    params: { condition: stream.condition },
  })),
);
