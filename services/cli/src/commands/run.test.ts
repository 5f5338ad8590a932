import { UsageError } from '../errors';
import { runCommand } from './run';

describe('yecai run flags (checked before anything starts)', () => {
  it('refuses --timeout with --follow (a followed run ends with Ctrl-C) and a non-positive count, naming the flag', async () => {
    await expect(runCommand({ follow: true, timeout: '60' })).rejects.toThrow(UsageError);
    await expect(runCommand({ follow: true, timeout: '60' })).rejects.toThrow(/--timeout .*--follow/);
    await expect(runCommand({ documents: '0' })).rejects.toThrow(/--documents: "0" 不是正整数/);
    await expect(runCommand({ timeout: 'soon' })).rejects.toThrow(/--timeout: "soon"/);
    // The go-live test (yecai golive) ends with its reports; a followed run never ends.
    await expect(runCommand({ reconcile: true, follow: true })).rejects.toThrow(/--reconcile .*--follow/);
  });

  it('--target names the finance system (kingdee or yonyou); anything else is refused naming the flag', async () => {
    await expect(runCommand({ target: 'sap' })).rejects.toThrow(/--target: "sap" 只能是 must be one of kingdee, yonyou/);
  });
});
