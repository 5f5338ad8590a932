import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lingxing } from './source';

const dir = mkdtempSync(join(tmpdir(), 'lingxing-config-'));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}
const account = { name: 'acme', appId: 'ak_0123456789abc', appSecret: 'env:LX_SECRET', startAt: '2026-11-01 00:00:00' };

describe('领星 source config', () => {
  it('applies the documented defaults', async () => {
    const config = await lingxing.loadConfig(file('ok.json', { accounts: [account] }));
    expect(config.service).toBe('source_lingxing');
    expect(config.accounts[0]).toMatchObject({
      baseUrl: 'https://openapi.lingxing.com',
      masterDataStartAt: '2015-01-01 00:00:00',
      buckets: {},
      throttleBackoffMs: 1000,
    });
  });

  it.each([
    [
      'an appId that is not 16 characters (the AES-128 key)',
      { ...account, appId: 'ak_short' },
      /accounts\.0\.appId: appId 须为 16 个字符/,
    ],
    ['an inline secret', { ...account, appSecret: 'live-secret' }, /accounts\.0\.appSecret: secrets are references/],
    ['a bad master-data start', { ...account, masterDataStartAt: 'yesterday' }, /accounts\.0\.masterDataStartAt/],
    ['a bucket of 0', { ...account, buckets: { '/erp/sc/data/mws/orders': 0 } }, /accounts\.0\.buckets/],
  ])('rejects %s naming the field', async (_what, bad, message) => {
    await expect(lingxing.loadConfig(file('bad.json', { accounts: [bad] }))).rejects.toThrow(message);
  });
});
