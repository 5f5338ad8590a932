/**
 * The exception queue's shapes, shared by the server (exceptions.ts, export.ts) and the web page
 * (web/src/pages/exceptions.tsx). No imports: the web bundle takes this file as it is.
 */
export const EXCEPTION_KINDS = ['mapping-parked', 'sink-parked', 'pending', 'filtered'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export const EXCEPTION_KIND_NAMES: Record<ExceptionKind, { zh: string; en: string }> = {
  'mapping-parked': { zh: '映射挂起', en: 'Parked at mapping' },
  'sink-parked': { zh: '写入挂起', en: 'Parked at the sink' },
  pending: { zh: '待重试', en: 'Pending (level 2)' },
  filtered: { zh: '已过滤', en: 'Filtered by a rule' },
};

/** "中文 English", as the export sheet and the flows API show a kind. */
export const KIND_LABELS = Object.fromEntries(
  EXCEPTION_KINDS.map((kind) => [kind, `${EXCEPTION_KIND_NAMES[kind].zh} ${EXCEPTION_KIND_NAMES[kind].en}`]),
) as Record<ExceptionKind, string>;

export interface ExceptionItem {
  kind: ExceptionKind;
  id: string;
  flow: string | null;
  level: number | null;
  code: string | null;
  reasonZh: string;
  reasonEn: string;
  key: string | null;
  billNo: string | null;
  field: string | null;
  at: string;
  status: string;
}
