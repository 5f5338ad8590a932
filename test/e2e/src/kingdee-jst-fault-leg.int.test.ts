/** The fault suite's reverse leg (run here in ./yecai test, and by fault-suite-cli.ts): Kingdee materials → 聚水潭 under SIGKILLs and JST faults, then exactly once. */
import { runLegInTest } from './fault-leg-test';
import { runKingdeeJstFaultLeg } from './kingdee-jst-fault-leg';

it('金蝶 → 聚水潭 under SIGKILLs, JST 502s and lost answers: every audited online material once in JST, none lost', async () => {
  const { failures, lines } = await runLegInTest(runKingdeeJstFaultLeg, 'kdjst');
  expect(failures).toEqual([]);
  expect(lines.filter((line) => line.includes('SIGKILL'))).toHaveLength(6);
  // Each of the three services was killed at least once (the seed decides which).
  expect(new Set(lines.flatMap((line) => line.match(/SIGKILL (\w+)/)?.[1] ?? []))).toEqual(new Set(['source', 'mapping', 'sink']));
  // The uploads whose answer was lost really landed first (the writer had to find them by sku_id).
  expect(lines.some((line) => /\b[1-9]\d* answers lost/.test(line))).toBe(true);
}, 500_000);
