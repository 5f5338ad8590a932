/**
 * The console in a real browser (Playwright driving Debian's Chromium, installed by scripts/install-chromium.sh on
 * first use) over a real pipeline (the demo's JST → mapping → sink → Kingdee emulator, on the harness's Kafka,
 * registry and MongoDB): an operator logs in, finds the documents parked for warehouse 100004 (no Kingdee mapping),
 * opens a trace, adds the warehouse map, batch re-pushes them and sees them posted; a viewer has no re-push button
 * and the API refuses the action. Every page is photographed into docs/console/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, UNMAPPED_WAREHOUSE, waitUntilSettled } from '@yecai/demo';
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConsoleUnderTest, USERS, type ConsoleUnderTest } from '../test/console-under-test';
import { EXPORT_SHEET, NOTES_SHEET } from './export';
import { ensureWebBuilt } from './web-build';

const SHOTS = join(__dirname, '..', '..', '..', 'docs', 'console');
let pipeline: Pipeline;
let consoleApp: ConsoleUnderTest;
let browser: Browser;

beforeAll(async () => {
  const executablePath = execFileSync('bash', [join(__dirname, '..', 'scripts', 'install-chromium.sh')], {
    encoding: 'utf8',
    timeout: 600_000,
  }).trim();
  const webDist = ensureWebBuilt(true);
  mkdirSync(SHOTS, { recursive: true });
  pipeline = await Pipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-console-')),
    documents: 30,
    topicPrefix: uniqueTopicPrefix('console'),
    mongoDb: uniqueName('console').replace(/-/g, '_'),
    jstRateLimits: { perSecond: 50, perMinute: 3000 },
    logLevel: 'warn',
  });
  const settledRun = await waitUntilSettled(pipeline, { timeoutMs: 300_000 });
  if (!settledRun.settled) throw new Error(`pipeline did not settle: ${JSON.stringify(settledRun.summary.flows)}`);
  // The demo's services take one operator token (libs/demo launchServices); the console holds it, the browser never.
  process.env.CONSOLE_TEST_DEMO_TOKEN = 'demo-operator-token';
  const service = (port: number | undefined) => ({
    url: `http://127.0.0.1:${port}`,
    tokenEnv: 'CONSOLE_TEST_DEMO_TOKEN',
  });
  consoleApp = await startConsoleUnderTest(
    {
      sink: service(pipeline.services.sink.options.opsPort),
      mapping: service(pipeline.services.mapping.options.opsPort),
    },
    webDist,
  );
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await consoleApp?.stop();
  await pipeline?.stop();
});

async function login(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.goto(consoleApp.baseUrl);
  await page.fill('#login-name', user.name);
  await page.fill('#login-password', user.password);
  await page.click('#login-submit');
  await page.waitForSelector('#current-user');
}

async function openPage(page: Page, key: string): Promise<void> {
  await page.click(`[data-page="${key}"]`);
  await page.waitForURL(`**/${key}`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function searchQueue(page: Page, text: string): Promise<void> {
  await page.fill('#filter-q', text);
  await page.press('#filter-q', 'Enter');
  await page.waitForSelector('.ant-table-tbody .ant-table-row');
}

/** The export's rows, read back with exceljs: sheet 异常 as objects keyed by the English half of each header. */
async function readExport(
  cookie: string,
  filters: string,
): Promise<{ rows: Record<string, unknown>[]; notes: string[] }> {
  const response = await fetch(`${consoleApp.baseUrl}/api/exceptions/export?${filters}`, { headers: { cookie } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="exceptions-.*\.xlsx"$/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await response.arrayBuffer());
  const values = (row: ExcelJS.Row) => (row.values as unknown[]).slice(1);
  const sheet = workbook.getWorksheet(EXPORT_SHEET)!;
  const headers = values(sheet.getRow(1)) as string[];
  const rows: Record<string, unknown>[] = [];
  sheet.eachRow((row, number) => {
    if (number > 1) rows.push(Object.fromEntries(headers.map((header, index) => [header, values(row)[index] ?? null])));
  });
  const notes: string[] = [];
  workbook.getWorksheet(NOTES_SHEET)!.eachRow((row) => notes.push(values(row).join(' ')));
  return { rows, notes };
}

it('a viewer exports the list as filtered to Excel: the same rows as the list API, the cap stated when hit, audited', async () => {
  const viewer = await consoleApp.login(USERS.viewer);
  const list = async (filters: string) => {
    const items: { kind: string; id: string; key: string | null; code: string | null }[] = [];
    for (let page = 1; ; page += 1) {
      const response = await fetch(`${consoleApp.baseUrl}/api/exceptions?${filters}&pageSize=200&page=${page}`, {
        headers: { cookie: viewer },
      });
      const body = (await response.json()) as { items: typeof items; hasMore: boolean };
      items.push(...body.items);
      if (!body.hasMore) return items;
    }
  };
  for (const filters of ['', `q=${UNMAPPED_WAREHOUSE}`, 'kind=mapping-parked']) {
    const [expected, { rows, notes }] = await Promise.all([list(filters), readExport(viewer, filters)]);
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((row) => [row['编号 ID'], row['单据键 Document key'], row['原因代码 Reason code']])).toEqual(
      expected.map((item) => [item.id, item.key, item.code]),
    );
    expect(notes).toContain(`行数 Rows ${expected.length}`);
    expect(notes.find((note) => note.startsWith('是否完整 Complete'))).toMatch(/^是否完整 Complete 是/);
  }
  const capped = await readExport(viewer, 'limit=2');
  expect(capped.rows).toHaveLength(2);
  expect(capped.notes.find((note) => note.startsWith('是否完整 Complete'))).toContain('已达上限 2 行');
  const bad = await fetch(`${consoleApp.baseUrl}/api/exceptions/export?limit=50001`, { headers: { cookie: viewer } });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { field: string }).field).toBe('limit');
  const { records } = await consoleApp.audit.list(20, 0, USERS.viewer.name);
  expect(records.filter((record) => record.action === 'exception.export').map((record) => record.target)).toEqual([
    'limit=2',
    'kind=mapping-parked',
    `q=${UNMAPPED_WAREHOUSE}`,
    '全部 all',
  ]);
});

it('an operator finds the parked documents, traces one, fixes the warehouse map, batch re-pushes them and sees them posted', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await login(page, USERS.operator);
  await page.waitForSelector('.ant-statistic-content-value:not(:has-text("…"))');
  await shot(page, 'overview');

  await openPage(page, 'exceptions');
  await searchQueue(page, String(UNMAPPED_WAREHOUSE));
  // What the table shows is what the API pages: the documents parked at mapping for warehouse 100004.
  const parked = await page.evaluate(async (q) => {
    const response = await fetch(`/api/exceptions?kind=mapping-parked&q=${q}&pageSize=200`);
    return ((await response.json()) as { items: { id: string; key: string; reasonZh: string }[] }).items;
  }, String(UNMAPPED_WAREHOUSE));
  expect(parked.length).toBeGreaterThan(0);
  expect(parked[0]!.reasonZh).toContain(String(UNMAPPED_WAREHOUSE));
  // 导出 Excel exports what the table shows: the same filters.
  expect(await page.getAttribute('#export-excel', 'href')).toBe(`/api/exceptions/export?q=${UNMAPPED_WAREHOUSE}`);
  await shot(page, 'exceptions');

  await page.locator('.trace-button').first().click();
  await page.waitForSelector('.trace-step[data-stage="source"]');
  expect(await page.locator('.ant-drawer-body').innerText()).toContain(String(UNMAPPED_WAREHOUSE));
  await shot(page, 'trace');
  await page.keyboard.press('Escape');

  await openPage(page, 'master-data');
  await page.waitForSelector('.ant-table-tbody .ant-table-row');
  await page.click('#md-add');
  const record = {
    sourceSystem: 'jushuitan',
    sourceCode: String(UNMAPPED_WAREHOUSE),
    name: '天津保税仓',
    kingdeeStockNumber: String(UNMAPPED_WAREHOUSE),
    stockOrg: '100',
  };
  await page.fill('#md-json', JSON.stringify(record, null, 2));
  await page.fill('#md-reason', '补充天津保税仓的金蝶仓库映射 add the Kingdee stock of 天津保税仓');
  await page.click('#md-save');
  await page.waitForSelector('.ant-modal-content', { state: 'hidden' });
  await page.waitForSelector(`.ant-table-tbody td:text-is("${UNMAPPED_WAREHOUSE}")`);
  await shot(page, 'master-data');

  await openPage(page, 'exceptions');
  await searchQueue(page, String(UNMAPPED_WAREHOUSE));
  await page.setChecked('.ant-table-thead .ant-checkbox-input', true);
  await page.click('#batch-repush');
  await page.fill('#reason-input', '仓库映射已补 the warehouse map is in place');
  const started = Date.now();
  await page.click('#reason-ok');
  const notice = await page.waitForSelector('#batch-result', { timeout: 90_000 }).catch(async (error: Error) => {
    await shot(page, 'failure-batch');
    const { records } = await consoleApp.audit.list(100, 0);
    throw new Error(
      `${error.message}\naudit: ${JSON.stringify(records.map((record) => [record.action, record.target, record.outcome, record.detail, record.at]))}`,
    );
  });
  // Every ticked document re-pushed, none failed: those mapping already re-pushed by itself once the warehouse map
  // arrived (it retries documents waiting for master data) are counted as done and said so, not as failures.
  expect({ notice: await notice.innerText(), seconds: Math.round((Date.now() - started) / 1000) }).toEqual({
    notice: expect.stringMatching(new RegExp(`^已重推 ${parked.length} 条(（其中 \\d+ 条此前已自动重推 / \\d+ already re-pushed automatically）)?$`)),
    seconds: expect.any(Number),
  });

  // Posted: the sink's ledger holds every re-pushed document as POSTED, and the console shows it by key.
  let last: unknown;
  await waitFor(
    async () => {
      const states = await page.evaluate(
        async (keys) => {
          const found = await Promise.all(
            keys.map(
              async (key) =>
                (
                  (await (await fetch(`/api/documents?key=${encodeURIComponent(key)}`)).json()) as {
                    places: { stage: string; state: string }[];
                  }
                ).places,
            ),
          );
          return found.map((places) => places.filter((place) => place.stage === 'sink').map((place) => place.state));
        },
        parked.map((item) => item.key),
      );
      last = states;
      return states.every((bills) => bills.length > 0 && bills.every((state) => state === 'POSTED'));
    },
    're-pushed documents posted',
    120_000,
  ).catch((error: Error) => {
    throw new Error(
      `${error.message}; sink states per document: ${JSON.stringify(last)}; keys ${JSON.stringify(parked.map((item) => item.key))}`,
    );
  });
  await page.fill('#find-key', parked[0]!.key);
  await page.press('#find-key', 'Enter');
  await page.waitForSelector('.found-state:text-is("POSTED")');
  await shot(page, 'document-posted');

  await openPage(page, 'audit');
  await page.waitForSelector('.ant-table-tbody td:text-is("exception.repush")');
  await shot(page, 'audit');
  const { records } = await consoleApp.audit.list(500, 0, USERS.operator.name);
  expect(records.filter((entry) => entry.action === 'exception.repush' && entry.outcome === 'ok')).toHaveLength(
    parked.length,
  );
  expect(records.find((entry) => entry.action === 'master-data.put')).toMatchObject({
    reason: '补充天津保税仓的金蝶仓库映射 add the Kingdee stock of 天津保税仓',
    outcome: 'ok',
  });

  await openPage(page, 'flows');
  await page.waitForSelector('.ant-table-tbody .ant-table-row');
  await shot(page, 'flows');
  await openPage(page, 'reconcile');
  await shot(page, 'reconcile');
  await openPage(page, 'exceptions');
  await page.click('#lang-switch >> text=English');
  await page.waitForSelector('text=Re-push selected');
  await shot(page, 'exceptions-en');
  await context.close();
}, 300_000);

it('a viewer sees the queue without a re-push button, and the API refuses a re-push', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await login(page, USERS.viewer);
  await openPage(page, 'exceptions');
  await page.waitForSelector('.ant-table-tbody .ant-table-row');
  expect(await page.locator('#batch-repush').count()).toBe(0);
  expect(await page.locator('.ant-table-thead .ant-checkbox-input').count()).toBe(0);
  await shot(page, 'exceptions-viewer');
  const refused = await page.evaluate(async () => {
    const items = (
      (await (await fetch('/api/exceptions?pageSize=1')).json()) as { items: { kind: string; id: string }[] }
    ).items;
    const response = await fetch('/api/exceptions/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'repush', reason: 'viewer tries', items }),
    });
    return { status: response.status, body: (await response.json()) as { error: string } };
  });
  expect(refused).toEqual({
    status: 403,
    body: { error: `需要操作员权限 operator role required ("${USERS.viewer.name}" is a viewer)` },
  });
  await context.close();
}, 120_000);
