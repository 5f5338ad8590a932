import { financeText, inFinanceTerms } from './finance-side';
import { rulesOf } from './report';

describe('the finance system’s words in what a person reads', () => {
  it('YonSuite reports say 用友 and YonSuite’s field names; Kingdee ones are unchanged', () => {
    const text = '已过账 X，金蝶中已不存在（被删除） · posted as X, no longer in Kingdee (deleted there); FModifyDate; FDate';
    expect(financeText(text, 'yonyou')).toBe('已过账 X，用友中已不存在（被删除） · posted as X, no longer in YonSuite (deleted there); pubts; vouchdate');
    expect(financeText(text, 'kingdee')).toBe(text);
    expect(financeText(text, undefined)).toBe(text);
  });

  it('rewrites every string value of a report, never its keys or class names', () => {
    const report = { kingdeeValue: '金蝶缺单', class: 'MISSING_IN_KINGDEE', rows: [{ cause: 'edited in Kingdee', n: 2 }] };
    expect(inFinanceTerms(report, 'yonyou')).toEqual({ kingdeeValue: '用友缺单', class: 'MISSING_IN_KINGDEE', rows: [{ cause: 'edited in YonSuite', n: 2 }] });
  });

  it('the 口径 of a YonSuite report names its matching field and change time', () => {
    const rules = rulesOf({ period: '2026-12', threshold: '0.0001', tolerance: '0.01', financeSystem: 'yonyou' }).join('\n');
    expect(rules).toContain('源单号 = 用友 外部来源线索 (out_sys_id)');
    expect(rules).toContain('按 pubts 增量刷新');
    expect(rules).not.toMatch(/金蝶|Kingdee|FThirdBillNo/);
  });
});
