import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveWdtCredentials } from './config';
import { loadWdtConfig } from './source';

const dir = mkdtempSync(join(tmpdir(), 'wdt-config-'));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const qyb = {
  name: 'acme',
  edition: 'qyb',
  sid: 'acme',
  appKey: 'k',
  appSecret: 'env:WDT_S',
  startAt: '2026-11-01 00:00:00',
};
const qjb = { ...qyb, name: 'beta', edition: 'qjb', appSecret: 'env:WDT_QJB' };

describe('WDT source config', () => {
  it('applies the documented defaults per edition', async () => {
    const config = await loadWdtConfig(
      file(
        'ok.yaml',
        [
          'accounts:',
          '  - { name: acme, edition: qyb, sid: acme, appKey: k, appSecret: "env:WDT_S", startAt: "2026-11-01 00:00:00" }',
          '  - { name: beta, edition: qjb, sid: beta, appKey: k, appSecret: "env:WDT_QJB", startAt: "2026-11-01 00:00:00" }',
        ].join('\n'),
      ),
    );
    expect(config.service).toBe('source_wangdiantong');
    expect(config.accounts[0]).toMatchObject({
      baseUrl: 'https://api.wangdian.cn/openapi2',
      masterDataStartAt: '2010-01-01 00:00:00',
      rateLimits: { perSecond: 5, perMinute: 240 },
    });
    expect(config.accounts[1]).toMatchObject({ baseUrl: 'http://wdt.wangdian.cn/openapi' });
  });

  it.each([
    [
      'an inline secret',
      { accounts: [{ ...qyb, appSecret: 'live-secret' }] },
      /accounts\.0\.appSecret: secrets are references/,
    ],
    ['an unknown edition', { accounts: [{ ...qyb, edition: 'pro' }] }, /accounts\.0\.edition/],
    ['a missing sid', { accounts: [{ ...qyb, sid: undefined }] }, /accounts\.0\.sid/],
    ['a bad start time', { accounts: [{ ...qyb, startAt: '2026-02-30 00:00:00' }] }, /accounts\.0\.startAt/],
    [
      'a bad master-data start',
      { accounts: [{ ...qyb, masterDataStartAt: 'yesterday' }] },
      /accounts\.0\.masterDataStartAt/,
    ],
    ['a duplicate account', { accounts: [qyb, qyb] }, /accounts\.1\.name "acme" is used twice/],
  ])('rejects %s naming the field', async (_what, content, message) => {
    await expect(loadWdtConfig(file(`bad-${Math.random()}.json`, content))).rejects.toThrow(message);
  });

  it('resolves secrets from env: and file:, splits 旗舰版 secret:salt, and never puts the secret in the error', async () => {
    process.env.WDT_S = 'qyb-secret';
    process.env.WDT_QJB = 'qjb-secret:qjb-salt';
    const config = await loadWdtConfig(
      file('secrets.json', {
        accounts: [qyb, qjb, { ...qjb, name: 'gamma', appSecret: `file:${file('s.txt', 'f-secret:f-salt\n')}` }],
      }),
    );
    expect(resolveWdtCredentials(config.accounts[0]!, 0)).toEqual({
      edition: 'qyb',
      sid: 'acme',
      appKey: 'k',
      appSecret: 'qyb-secret',
    });
    expect(resolveWdtCredentials(config.accounts[1]!, 1)).toMatchObject({ secret: 'qjb-secret', salt: 'qjb-salt' });
    expect(resolveWdtCredentials(config.accounts[2]!, 2)).toMatchObject({ secret: 'f-secret', salt: 'f-salt' });
    process.env.WDT_QJB = 'nosaltsecret';
    expect(() => resolveWdtCredentials(config.accounts[1]!, 1)).toThrow(/accounts\.1\.appSecret: 旗舰版 appsecret/);
    try {
      resolveWdtCredentials(config.accounts[1]!, 1);
    } catch (error) {
      expect(String(error)).not.toContain('nosaltsecret');
    }
    delete process.env.WDT_S;
    expect(() => resolveWdtCredentials(config.accounts[0]!, 0)).toThrow(
      /accounts\.0\.appSecret: environment variable WDT_S/,
    );
  });

  it('main refuses --backfill without --to, in Chinese and English', () => {
    const path = file('cli.json', { accounts: [qyb] });
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(__dirname, 'main.ts'),
        '--config',
        path,
        '--backfill',
        '--from',
        '2026-10-01 00:00:00',
      ],
      {
        env: { ...process.env, WDT_S: 'x', KAFKA_BROKERS: '127.0.0.1:1', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' },
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('回补需要 --from 和 --to');
    expect(result.stderr).toContain('--backfill needs --from and --to');
  });

  it.each(['deploy/k8s/base/config/wdt.yaml', 'deploy/k8s/overlays/dev/wdt.yaml', 'deploy/compose/wdt.yaml'])(
    'the shipped config %s is valid',
    async (path) => {
      const config = await loadWdtConfig(resolve(__dirname, '../../..', path));
      expect(config.service).toBe('source_wangdiantong');
      expect(config.opsPort).toBe(9465);
    },
  );
});
