/** The fault suite's reverse leg (run here in ./yecai test, and by fault-suite-cli.ts): Kingdee → 旺店通 under SIGKILLs and WDT faults, then exactly once. */
import { runLegInTest } from './fault-leg-test';
import { runKingdeeWdtFaultLeg } from './kingdee-wdt-fault-leg';

it('金蝶 → 旺店通 under SIGKILLs, WDT 5xx and lost answers: every audited bill once in WDT, stock exact, none lost', async () => {
  const { failures, lines } = await runLegInTest(runKingdeeWdtFaultLeg, 'kdwdt');
  expect(failures).toEqual([]);
  expect(lines.filter((line) => line.includes('SIGKILL'))).toHaveLength(6);
}, 500_000);
