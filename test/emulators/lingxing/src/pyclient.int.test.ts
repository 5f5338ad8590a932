/**
 * The public PyPI client `lingxingapi` (2.1.8) drives the 领星 emulator: its token call (credentials in the query),
 * its signature (nested values key-sorted, the sign URL-encoded by the client and again by aiohttp), its paging and
 * its pydantic response models must all accept what the emulator does and answers. An integration test: it installs
 * the client into a virtualenv under the project's cache (pyclient/install.sh) on first use.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingEmulator } from './server';

const PYCLIENT = join(__dirname, '..', 'pyclient');

describe('领星 emulator driven by the PyPI client lingxingapi', () => {
  let emulator: LingxingEmulator;
  let python: string;
  const fromMs = Date.parse('2026-11-01T00:00:00+08:00');
  const toMs = fromMs + 86_400_000;

  beforeAll(async () => {
    python = execFileSync('bash', [join(PYCLIENT, 'install.sh')], { encoding: 'utf8', timeout: 600_000 }).trim();
    emulator = await startLingxingEmulator({ seed: 4, documents: { perType: { sales_order: 80 }, fromMs, toMs } });
  }, 620_000);
  afterAll(() => emulator?.close());

  it('gets a token, signs, pages the Amazon order list and validates every record', () => {
    const output = execFileSync(
      python,
      [join(PYCLIENT, 'drive.py'), emulator.url, LINGXING_TEST_ACCOUNT.appId, LINGXING_TEST_ACCOUNT.appSecret, '2026-11-01 00:00:00', '2026-11-02 00:00:00'],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONWARNINGS: 'ignore' } },
    );
    const answer = JSON.parse(output.trim().split('\n').at(-1)!) as { total: number; orders: string[]; currencies: string[] };
    // [start, end): the order modified exactly at the end is not in this window.
    const expected = emulator.store.query('sales_order', { fromMs, toMs, toExclusive: true });
    expect(answer.total).toBe(expected.length);
    expect(answer.orders).toEqual(expected.map((order) => order.id));
    expect(answer.currencies.length).toBeGreaterThanOrEqual(4);
    expect(emulator.stats).toMatchObject({ token_issued: 1, ok: 2 });
    expect(emulator.stats['2001006']).toBeUndefined();
  });
});
