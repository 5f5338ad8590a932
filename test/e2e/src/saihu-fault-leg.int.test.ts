/** The fault suite's 赛狐 leg (run here in ./yecai test): SIGKILLs, 40019 bursts, 40001 token invalidation, 502s and lost Kingdee answers, then exactly once. */
import { runLegInTest } from './fault-leg-test';
import { runSaihuFaultLeg } from './saihu-fault-leg';

it('赛狐 under SIGKILLs, 40019 bursts, 40001, 502s and lost Kingdee answers: every document once, each bill once, nothing parked', async () => {
  const { failures, lines } = await runLegInTest(runSaihuFaultLeg, 'sh');
  expect(failures).toEqual([]);
  expect(lines.filter((line) => line.includes('SIGKILL'))).toHaveLength(6);
  expect(lines.some((line) => / [1-9]\d* payouts added/.test(line))).toBe(true);
  // The faults really happened: throttling, early token invalidation and gateway errors.
  const faults = lines.find((line) => line.includes('leg faults'))!;
  expect(faults).toMatch(/40019 ×[1-9]/);
  expect(faults).toMatch(/40001 ×[1-9]/);
  expect(faults).toMatch(/5xx ×[1-9]/);
}, 420_000);
