/**
 * The sink's admin API is authenticated route by route: every route of its ops server (walked, not listed — a new
 * route is checked the day it is added) refuses anonymous and wrong tokens with 401 and viewers on changes with 403.
 */
import { PUBLIC_OPS_ROUTES, adminAuthProblems, expressRoutes } from '@yecai/test-harness';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { startEmulator } from '../test/fixtures';
import { TOKENS, startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../test/sink-under-test';

describe('sink admin API authentication (real Kafka + FerretDB + emulator)', () => {
  let emulator: KingdeeEmulator;
  let sink: SinkUnderTest;

  beforeAll(async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    sink = await startSinkUnderTest(emulator);
  });
  afterAll(async () => {
    await sink?.stop();
    await emulator?.close();
  });

  it('every route but the probes and /metrics needs a token: 401 without or with a wrong one, 403 for a viewer on every change', async () => {
    const routes = expressRoutes(sink.ops.app);
    const names = routes.map((route) => `${route.method} ${route.path}`);
    expect(names.filter((name) => PUBLIC_OPS_ROUTES.includes(name))).toEqual([...PUBLIC_OPS_ROUTES]);
    expect(names).toEqual(
      expect.arrayContaining(['POST /admin/documents/:id/repush', 'POST /admin/documents/:id/skip', 'POST /admin/flows/:flow/pause', 'POST /admin/flows/:flow/resume', 'POST /admin/aggregation/:flow/close', 'GET /admin/documents']),
    );
    const admin = routes.filter((route) => !PUBLIC_OPS_ROUTES.includes(`${route.method} ${route.path}`));
    expect(await adminAuthProblems(sink.baseUrl, admin, TOKENS)).toEqual([]);
  });

  it('the document list takes the query box (?q=): an empty ledger finds nothing, an over-long q is a 400 naming q', async () => {
    const get = (query: string) => fetch(`${sink.baseUrl}/admin/documents?${query}`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    const none = await get('q=LOT_REQUIRED');
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({ documents: [] });
    const tooLong = await get(`q=${'x'.repeat(201)}`);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({ field: 'q', error: 'query.q: q 最多 200 个字符 (q: at most 200 characters)' });
  });
});
