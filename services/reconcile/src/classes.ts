/** The difference classes of finance-flows §3.6, each with its zh-CN label, English name and default action. */
export const DIFFERENCE_CLASSES = {
  MISSING_IN_KINGDEE: {
    zh: '金蝶缺单',
    en: 'missing in Kingdee',
    action: '查看挂起/待处理单据，修正后重推 · fix the parked or pending document, then re-push',
  },
  EXTRA_IN_KINGDEE: {
    zh: '金蝶多单',
    en: 'extra in Kingdee',
    action: '列给财务核查，不自动删除 · list for finance; never deleted automatically',
  },
  DUPLICATE: {
    zh: '重复',
    en: 'duplicate',
    action: 'P1：财务作废多余单据，查明重复原因 · P1: finance voids the extra bill; find what copied it',
  },
  AMOUNT_MISMATCH: {
    zh: '金额不一致',
    en: 'amount mismatch',
    action: '核对价格/税率映射或金蝶中的修改 · check the price or tax mapping, or the edit in Kingdee',
  },
  QTY_MISMATCH: {
    zh: '数量不一致',
    en: 'quantity mismatch',
    action: '核对单位换算、拆行或金蝶中的修改 · check unit conversion, split lines or the edit in Kingdee',
  },
  STATUS_MISMATCH: {
    zh: '状态不一致',
    en: 'status mismatch',
    action: '重试审核或通知财务 · retry the audit or inform finance',
  },
  TIMING: {
    zh: '期间差异',
    en: 'timing (cut-off)',
    action: '列入截止期差异，不作错误 · reported under cut-off, not an error',
  },
  MAPPING: {
    zh: '映射差异',
    en: 'mapping',
    action: '对照两边映射，当前映射正确则重推 · compare both mappings; re-push if the current one is right',
  },
  TOLERATED: { zh: '尾差', en: 'rounding (tolerated)', action: '计数，不告警 · counted, no alert' },
} as const;

export type DifferenceClass = keyof typeof DIFFERENCE_CLASSES;
export const DIFFERENCE_CLASS_NAMES = Object.keys(DIFFERENCE_CLASSES) as DifferenceClass[];

/** Classes that never make a period 有差异 (cut-off and tolerated rounding are reported, not counted). */
export const UNCOUNTED_CLASSES: ReadonlySet<DifferenceClass> = new Set(['TIMING', 'TOLERATED']);
