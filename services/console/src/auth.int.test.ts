/**
 * The console's login and role model: every /api route but login/logout needs a session (401 without one, with a
 * forged or expired one); every changing route refuses a viewer (403) and lets an operator through. The routes are
 * walked from the app itself, so a route added later is covered without being listed.
 */
import { expressRoutes, samplePath } from '@yecai/test-harness';
import { startConsoleUnderTest, USERS, type ConsoleUnderTest } from '../test/console-under-test';
import { ensureWebBuilt } from './web-build';

process.env.CONSOLE_TEST_UPSTREAM_TOKEN = 'unused-upstream-token-0123456789';
let consoleApp: ConsoleUnderTest;

beforeAll(async () => {
  // Upstreams on a closed port: the guard must answer before any service is called.
  const nowhere = { url: 'http://127.0.0.1:9', tokenEnv: 'CONSOLE_TEST_UPSTREAM_TOKEN' };
  consoleApp = await startConsoleUnderTest({ sink: nowhere, mapping: nowhere }, ensureWebBuilt());
}, 60_000);
afterAll(() => consoleApp?.stop());

const OPEN = ['POST /api/login', 'POST /api/logout'];

async function call(method: string, path: string, cookie?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cookie) headers.cookie = cookie;
  const response = await fetch(`${consoleApp.baseUrl}${path}`, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: '{}' }),
  });
  await response.arrayBuffer();
  return response.status;
}

it('refuses a wrong password with a message naming the field, and sets an HttpOnly SameSite=Strict cookie on success', async () => {
  const wrong = await fetch(`${consoleApp.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: USERS.operator.name, password: 'nope-nope' }),
  });
  expect(wrong.status).toBe(401);
  expect(await wrong.json()).toEqual({ error: '用户名或密码错误 wrong name or password', field: 'password' });
  const missing = await fetch(`${consoleApp.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x' }),
  });
  expect(missing.status).toBe(400);
  expect(((await missing.json()) as { field: string }).field).toBe('password');
  const ok = await fetch(`${consoleApp.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(USERS.viewer),
  });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('set-cookie')).toMatch(/^yecai_console=[^;]+;.*HttpOnly.*SameSite=Strict/i);
  expect(await ok.json()).toEqual({ user: { name: USERS.viewer.name, role: 'viewer' } });
});

it('every API route: 401 without a session or with a forged one; changing routes 403 for a viewer, allowed for an operator', async () => {
  const operator = await consoleApp.login(USERS.operator);
  const viewer = await consoleApp.login(USERS.viewer);
  // A viewer's cookie with the role edited and the old signature: refused.
  const [body, signature] = decodeURIComponent(viewer.split('=')[1]!).split('.');
  const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
  const forged = `yecai_console=${Buffer.from(JSON.stringify({ ...payload, u: USERS.operator.name, r: 'operator' })).toString('base64url')}.${signature}`;
  const routes = expressRoutes(consoleApp.ops.app).filter(
    (route) => route.path.startsWith('/api/') && !OPEN.includes(`${route.method} ${route.path}`),
  );
  const changing = routes.filter((route) => route.method !== 'GET');
  expect(changing.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
    [
      'POST /api/exceptions/batch',
      'POST /api/flows/:flow/pause',
      'POST /api/flows/:flow/resume',
      'PUT /api/master-data/:entity',
      'POST /api/reconcile/runs',
    ].sort(),
  );
  const problems: string[] = [];
  for (const route of routes) {
    const path = samplePath(route.path).replace('/x/x/trace', '/filtered/x/trace');
    const name = `${route.method} ${route.path}`;
    for (const [who, cookie] of [
      ['nobody', undefined],
      ['forged', forged],
    ] as const) {
      const status = await call(route.method, path, cookie);
      if (status !== 401) problems.push(`${name}: ${status} for ${who} (want 401)`);
    }
    const asViewer = await call(route.method, path, viewer);
    if (route.method === 'GET' ? asViewer === 401 || asViewer === 403 : asViewer !== 403)
      problems.push(`${name}: ${asViewer} for a viewer`);
    const asOperator = await call(route.method, path, operator);
    if (asOperator === 401 || asOperator === 403) problems.push(`${name}: ${asOperator} for an operator`);
  }
  expect(problems).toEqual([]);
});

it('a changing call that reaches the service is audited with who, what and why, also when the service is down', async () => {
  const operator = await consoleApp.login(USERS.operator);
  const response = await fetch(`${consoleApp.baseUrl}/api/flows/sales_outstock/pause`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: operator },
    body: JSON.stringify({ reason: '月结 month-end close' }),
  });
  expect(response.status).toBe(502);
  expect(((await response.json()) as { error: string }).error).toMatch(/^sink 服务不可达 service unreachable/);
  const noReason = await fetch(`${consoleApp.baseUrl}/api/flows/sales_outstock/pause`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: operator },
    body: '{}',
  });
  expect(noReason.status).toBe(400);
  expect(((await noReason.json()) as { field: string }).field).toBe('reason');
  const { records } = await consoleApp.audit.list(10, 0, USERS.operator.name);
  expect(records.find((record) => record.action === 'flow.pause')).toMatchObject({
    actor: USERS.operator.name,
    role: 'operator',
    target: 'sales_outstock',
    reason: '月结 month-end close',
    outcome: 'failed',
  });
  const viewer = await consoleApp.login(USERS.viewer);
  const audit = await fetch(`${consoleApp.baseUrl}/api/audit`, { headers: { cookie: viewer } });
  expect(audit.status).toBe(200);
  expect(((await audit.json()) as { records: unknown[] }).records.length).toBeGreaterThan(0);
});

it('serves the pages on every client route (a reload of /exceptions works), and an unknown API route is a 404, not the page', async () => {
  const page = await fetch(`${consoleApp.baseUrl}/exceptions`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root"></div>');
  const operator = await consoleApp.login(USERS.operator);
  const unknown = await fetch(`${consoleApp.baseUrl}/api/nope`, { headers: { cookie: operator } });
  expect(unknown.status).toBe(404);
  expect(((await unknown.json()) as { error: string }).error).toBe('没有这个接口 no such API route: GET /api/nope');
});
