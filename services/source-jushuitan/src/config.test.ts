import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startJushuitanEmulator } from '@yecai/emulator-jushuitan';
import { loadJstConfig } from './source';

const dir = mkdtempSync(join(tmpdir(), 'jst-config-'));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const account = { name: 'acme', appKey: 'k', appSecret: 'env:S', accessToken: 'env:T', startAt: '2026-11-01 00:00:00' };

describe('JST source config', () => {
  it('applies the documented defaults', async () => {
    const config = await loadJstConfig(
      file(
        'ok.yaml',
        `accounts:\n  - name: acme\n    appKey: k\n    appSecret: env:S\n    accessToken: env:T\n    startAt: "2026-11-01 00:00:00"\n`,
      ),
    );
    expect(config.accounts[0]).toMatchObject({
      baseUrl: 'https://openapi.jushuitan.com',
      rateLimits: { perSecond: 5, perMinute: 100 },
    });
    expect(config.service).toBe('source_jushuitan');
  });

  it.each([
    [
      'an inline secret',
      { accounts: [{ ...account, appSecret: 'sk_live_123' }] },
      /accounts\.0\.appSecret: secrets are references/,
    ],
    ['a bad start time', { accounts: [{ ...account, startAt: '2026-02-30 00:00:00' }] }, /accounts\.0\.startAt/],
    ['a duplicate account', { accounts: [account, account] }, /accounts\.1\.name "acme" is used twice/],
    ['an account name with spaces', { accounts: [{ ...account, name: 'Acme Co' }] }, /accounts\.0\.name/],
  ])('rejects %s naming the field', async (_what, content, message) => {
    await expect(loadJstConfig(file(`bad-${Math.random()}.json`, content))).rejects.toThrow(message);
  });

  it('main refuses --backfill without --to, in Chinese and English', () => {
    const path = file('cli.json', { accounts: [account] });
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
        env: {
          ...process.env,
          S: 'x',
          T: 'y',
          KAFKA_BROKERS: '127.0.0.1:1',
          SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
        },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('回补需要 --from 和 --to');
    expect(result.stderr).toContain('--backfill needs --from and --to');
  }, 90_000);

  it('main --check tells per account whether the credentials work, without Kafka', async () => {
    const emulator = await startJushuitanEmulator({ seed: 1 });
    try {
      const path = file('check.json', {
        accounts: [
          {
            ...account,
            name: 'good',
            baseUrl: emulator.url,
            appKey: 'ak_test',
            appSecret: 'env:GOOD_S',
            accessToken: 'env:GOOD_T',
          },
          {
            ...account,
            name: 'bad',
            baseUrl: emulator.url,
            appKey: 'ak_test',
            appSecret: 'env:BAD_S',
            accessToken: 'env:GOOD_T',
          },
        ],
      });
      const env: Record<string, string | undefined> = {
        ...process.env,
        GOOD_S: 'sk_test',
        GOOD_T: 'at_test',
        BAD_S: 'sk_wrong',
      };
      delete env.KAFKA_BROKERS;
      delete env.SCHEMA_REGISTRY_URL;
      const result = await new Promise<{ status: number | null; stdout: string }>((done) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', resolve(__dirname, 'main.ts'), '--config', path, '--check'],
          { env },
        );
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('exit', (status: number | null) => done({ status, stdout }));
      });
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('✓ good: 聚水潭账号可用 / Jushuitan account works');
      expect(result.stdout).toMatch(/✗ bad: 签名无效.*\[JST_SIGN_INVALID\]/);
      expect(result.stdout).not.toContain('sk_test');
    } finally {
      await emulator.close();
    }
  }, 90_000);
});
