import { formsPostedFrom } from '@yecai/kingdee';
import { renderFieldMapping } from '../spec/render';
import { loadRules } from './load-rules';

describe('rules and the Kingdee form registry', () => {
  const rules = loadRules();

  it("every rule's kingdeeForm names the forms the registry posts its canonical type to", () => {
    for (const { rule } of rules) {
      // A reverse rule (Kingdee → OMS) names the OMS, a rule no sink posts names its reader: no Kingdee form.
      if (rule.target.system || rule.target.readBy) {
        expect(`${rule.flow}: ${formsPostedFrom(rule.target.documentType).length}`).toBe(`${rule.flow}: 0`);
        continue;
      }
      const forms = formsPostedFrom(rule.target.documentType).map((form) => form.formId);
      expect(`${rule.flow}: ${rule.target.kingdeeForm}`).toBe(`${rule.flow}: ${forms.join(' / ')}`);
    }
  });

  it('the field-mapping document shows the Kingdee side: canonical field → field key per form, linked from each flow', () => {
    const text = renderFieldMapping(rules);
    const outStock = text.slice(text.indexOf('### 销售出库单 SAL_OUTSTOCK'), text.indexOf('<a id="kingdee-sal_returnstock">'));
    expect(outStock).toContain('| 客户 | `FCustomerID` | `customer` | 引用 `{FNumber: …}` | 挂起 park |');
    expect(outStock).toContain('| 结算组织 | `SubHeadEntity.FSettleOrgID` | `settleOrg` 否则 else `saleOrg` |');
    expect(outStock).toContain('| 实发数量 | `FEntity[].FRealQty` | `lines[].quantity` | 精确小数 decimal | 挂起 park |');
    expect(outStock).toContain('字段标识可由流程 `customFields.logisticsNumber` 改');
    expect(text).toContain('→ 金蝶 STK_StockCountGain / STK_StockCountLoss（字段对照 [STK_StockCountGain](#kingdee-stk_stockcountgain) / [STK_StockCountLoss](#kingdee-stk_stockcountloss)）');
  });
});
