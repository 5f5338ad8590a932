/** The fault suite's 领星 leg (run here in ./yecai test, and by fault-suite-cli.ts after the JST leg): SIGKILLs and API faults, then exactly once. */
import { runLegInTest } from './fault-leg-test';
import { runLingxingFaultLeg } from './lingxing-fault-leg';

it('领星 under SIGKILLs, 3001008 bursts, 502s, token expiry and lost Kingdee answers: every document once, none lost', async () => {
  const { failures, lines } = await runLegInTest(runLingxingFaultLeg, 'lx');
  expect(failures).toEqual([]);
  expect(lines.filter((line) => line.includes('SIGKILL'))).toHaveLength(6);
}, 400_000);
