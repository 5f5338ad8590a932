import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingEmulator } from '../src/server';

/**
 * Fidelity check with the public LingXing client on PyPI, lingxingapi 2.1.8: its token call (credentials in the
 * query), its signature (nested values key-sorted, the sign URL-encoded by the client and again by aiohttp), its
 * paging and its pydantic models of the Amazon order list must all accept what the emulator does and answers.
 */
const SCRIPTS = join(__dirname, '..', 'scripts');
const fromMs = Date.parse('2026-11-01T00:00:00+08:00');
const toMs = fromMs + 86_400_000;

let emulator: LingxingEmulator;
let python: string;

beforeAll(async () => {
  // Installs into .cache/python-lingxing on first use (needs PyPI), instant afterwards.
  python = execFileSync('bash', [join(SCRIPTS, 'install-python-client.sh')], {
    encoding: 'utf8',
    timeout: 290_000,
  }).trim();
  emulator = await startLingxingEmulator({ seed: 4, documents: { perType: { sales_order: 80 }, fromMs, toMs } });
}, 300_000);
afterAll(() => emulator?.close());

it('lingxingapi gets a token, signs, pages the Amazon order list and validates every record', async () => {
  // Async: the emulator runs in this process and must keep answering while Python talks to it.
  const { stdout } = await promisify(execFile)(
    python,
    [
      join(SCRIPTS, 'drive_lingxingapi.py'),
      emulator.url,
      LINGXING_TEST_ACCOUNT.appId,
      LINGXING_TEST_ACCOUNT.appSecret,
      '2026-11-01 00:00:00',
      '2026-11-02 00:00:00',
    ],
    {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        PYTHONWARNINGS: 'ignore',
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
      },
    },
  );
  const answer = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    total: number;
    orders: string[];
    currencies: string[];
  };
  // [start, end): the order modified exactly at the end is not in this window.
  const expected = emulator.store.query('sales_order', { fromMs, toMs, toExclusive: true });
  expect(expected.length).toBeGreaterThan(50);
  expect(answer.total).toBe(expected.length);
  expect(answer.orders).toEqual(expected.map((order) => order.id));
  expect(answer.currencies.length).toBeGreaterThanOrEqual(4);
  expect(emulator.stats).toMatchObject({ token_issued: 1, ok: 2 });
  expect(emulator.stats['2001006']).toBeUndefined();
}, 90_000);
