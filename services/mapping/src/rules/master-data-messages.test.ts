/**
 * A document parked for missing master data names the system whose codes the mapping must give — the rule target's
 * (SYSTEM_LABELS in @yecai/master-data): 金蝶 for a rule into Kingdee, 用友 for one into YonSuite.
 */
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { ruleFileSchema, ruleTargetSystems, type FinanceTarget } from './rule-schema';
import { jstSalesOutStock, memoryLookup, rawInput } from './test-fixtures';

const RULES = loadRules();

/** The shipped JST sales out-stock rule with another target. */
function withTarget(target: Record<string, unknown>) {
  return RULES.map((compiled) =>
    compiled.rule.flow === 'jushuitan/sales_outstock' ? { ...compiled, rule: ruleFileSchema.parse({ ...compiled.rule, target }) } : compiled,
  );
}

async function parkedReason(rules = RULES, financeTarget?: FinanceTarget): Promise<MappingOutcome> {
  const engine = new MappingEngine(rules, { lookup: memoryLookup(), now: () => Date.parse('2024-02-01T00:00:00Z'), ...(financeTarget ? { financeTarget } : {}) });
  const outcomes = await engine.map(rawInput('sales_outstock', jstSalesOutStock({ wms_co_id: 'WH-09' })));
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe('missing master data names the rule target’s system', () => {
  it('a rule into YonSuite: 没有用友仓库映射 / no YonSuite warehouse mapping', async () => {
    const yonyou = withTarget({ documentType: 'sales_outstock', yonyouForm: 'salesout' });
    expect(await parkedReason(yonyou)).toMatchObject({
      kind: 'parked',
      code: 'MISSING_MASTER_DATA',
      reasonZh: '仓库 WH-09 没有用友仓库映射 (warehouse WH-09 has no YonSuite warehouse mapping)',
      reasonEn: 'warehouse WH-09 has no YonSuite warehouse mapping',
    });
  });

  it('the same rule into Kingdee (as shipped): 没有金蝶仓库映射', async () => {
    expect(await parkedReason()).toMatchObject({
      reasonZh: '仓库 WH-09 没有金蝶仓库映射 (warehouse WH-09 has no Kingdee warehouse mapping)',
    });
  });

  it('the shipped rule (a Kingdee form) in a deployment posting to YonSuite (MAPPING_FINANCE_TARGET=yonyou): 没有用友仓库映射', async () => {
    expect(await parkedReason(RULES, 'yonyou')).toMatchObject({
      reasonZh: '仓库 WH-09 没有用友仓库映射 (warehouse WH-09 has no YonSuite warehouse mapping)',
    });
    expect(ruleTargetSystems({ kingdeeForm: 'SAL_OUTSTOCK' }, 'yonyou')).toEqual(['yonyou']);
  });

  it('each target kind gives its systems; a rule naming two targets is refused', () => {
    expect(ruleTargetSystems({ kingdeeForm: 'SAL_OUTSTOCK' })).toEqual(['kingdee']);
    expect(ruleTargetSystems({ yonyouForm: 'salesout' })).toEqual(['yonyou']);
    expect(ruleTargetSystems({ system: ['jushuitan', 'wangdiantong'] })).toEqual(['jushuitan', 'wangdiantong']);
    expect(() => withTarget({ documentType: 'sales_outstock', kingdeeForm: 'SAL_OUTSTOCK', yonyouForm: 'salesout' })).toThrow(
      /exactly one of kingdeeForm .*yonyouForm/,
    );
  });
});
