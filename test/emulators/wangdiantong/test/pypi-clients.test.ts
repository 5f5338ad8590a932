import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatBeijingTime } from '@yecai/common';
import { DEFAULT_QIMEN_APP } from '../src/qimen';
import { DEFAULT_QJB_ACCOUNT, DEFAULT_QYB_ACCOUNT, startWangdiantongEmulator, type WdtEmulator } from '../src/server';

/**
 * Fidelity check with the public WDT clients on PyPI: wangdiantong-py 0.3.0 (企业版 openapi2) and wdtqm 0.0.4
 * (旗舰版 through 奇门) drive the emulator on the real clock; what they receive must be what the store holds.
 */
const SCRIPTS = join(__dirname, '..', 'scripts');
const MINUTE = 60_000;
const DAY = 86_400_000;

let emulator: WdtEmulator;
let python: string;
const start = Date.now();

beforeAll(async () => {
  // Installs into .cache/python-wangdiantong on first use (needs PyPI), instant afterwards.
  python = execFileSync('bash', [join(SCRIPTS, 'install-python-clients.sh')], { encoding: 'utf8', timeout: 170_000 }).trim();
  emulator = await startWangdiantongEmulator({
    seed: 5,
    documents: { perType: { sales_out: 60 }, fromMs: start - 2 * DAY, toMs: start - 2 * 3_600_000 },
  });
  // Recent stockouts for the 旗舰版 60-minute window.
  for (let i = 0; i < 7; i++) {
    emulator.store.addDocument('sales_out', {
      modified: start - (10 + i) * MINUTE,
      shop_no: 'tm-001',
      warehouse_no: 'HZ01',
      lines: [{ spec_no: 'G100101S', num: 1 + i }],
    });
  }
}, 180_000);
afterAll(() => emulator?.close());

async function runPython(script: string, args: string[]): Promise<Record<string, unknown>> {
  // Async: the emulator runs in this process and must keep answering while Python talks to it.
  const { stdout } = await promisify(execFile)(python, [join(SCRIPTS, script), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TZ: 'Asia/Shanghai', NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

it('wangdiantong-py (企业版) signs and pages like the emulator expects; its byte-length signing fails on non-ASCII', async () => {
  const from = formatBeijingTime(start - 3 * DAY);
  const to = formatBeijingTime(Date.now() + MINUTE);
  const answers = await runPython('drive_wangdiantong_py.py', [
    emulator.url,
    DEFAULT_QYB_ACCOUNT.sid,
    DEFAULT_QYB_ACCOUNT.appkey,
    DEFAULT_QYB_ACCOUNT.appsecret,
    from,
    to,
  ]);
  const page0 = answers.goods_page0 as { code: number; total_count: number; goods_list: Array<{ goods_no: string }> };
  const page1 = answers.goods_page1 as { code: number; goods_list: Array<{ goods_no: string }> };
  expect(page0).toMatchObject({ code: 0, total_count: 8 });
  expect(page1.code).toBe(0);
  expect(page1).not.toHaveProperty('total_count');
  expect([...page0.goods_list, ...page1.goods_list].map((goods) => goods.goods_no)).toEqual(
    emulator.store.listGoods().map((goods) => goods.goods_no),
  );

  const stockout = answers.stockout as { code: number; total_count: number; stockout_list: Array<Record<string, unknown>> };
  const expected = emulator.store.versions('sales_out').filter((document) => document.status === 110);
  expect(stockout.code).toBe(0);
  expect(stockout.total_count).toBe(expected.length);
  expect(stockout.stockout_list.map((record) => record.stockout_id).sort()).toEqual(expected.map((document) => String(document.id)).sort());
  expect(stockout.stockout_list[0]).toMatchObject({ status: '110', goods_count: expect.stringMatching(/^\d+\.0000$/) });

  // The real server counts characters (official PHP/Java demos); this client counts UTF-8 bytes.
  expect(answers.non_ascii).toEqual({ code: 2030, message: '签名错误' });
}, 90_000);

it('wdtqm (旗舰版 via 奇门) passes both signatures; a prefixed method or a wrong 奇门 secret is refused', async () => {
  const answers = await runPython('drive_wdtqm.py', [
    `${emulator.url}/router/qm`,
    DEFAULT_QIMEN_APP.appKey,
    DEFAULT_QIMEN_APP.appSecret,
    DEFAULT_QIMEN_APP.targetAppKey,
    DEFAULT_QJB_ACCOUNT.key,
    `${DEFAULT_QJB_ACCOUNT.secret}:${DEFAULT_QJB_ACCOUNT.salt}`,
    DEFAULT_QJB_ACCOUNT.sid,
    formatBeijingTime(start - 50 * MINUTE),
    formatBeijingTime(start),
  ]);
  const sales = (answers.sales as { response: { status: number; data: { total_count: number; order: Array<Record<string, unknown>> } } }).response;
  expect(sales.status).toBe(0);
  expect(sales.data.total_count).toBe(7);
  expect(sales.data.order.map((order) => order.goods_count).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(sales.data.order[0]).toMatchObject({ status: 110, created: expect.any(Number) });
  const shops = (answers.shops as { response: { status: number; data: { details: unknown[] } } }).response;
  expect(shops.data.details).toHaveLength(6);
  expect(answers.prefixed).toEqual({ response: { status: 1, message: '签名错误' } });
  expect(answers.bad_top_sign).toContain('code=25');
}, 90_000);
