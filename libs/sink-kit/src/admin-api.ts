/**
 * Admin API of the sink (mounted on the ops server under /admin): list documents by state and flow, one
 * document's history, re-push, skip with reason, pause/resume a flow. Bearer tokens with viewer or operator
 * role (@yecai/common admin-auth: the whole router is guarded, reads need a viewer, changes an operator); every
 * input validated with zod and refused with 400 naming the field. Who did what is recorded with the action itself
 * (ledger history `actor`, flow pause `by`, aggregation close) and in the log.
 */
import { AdminBadRequest, adminCaller, createAdminAuth, parseAdminInput, SEARCH_TEXT_MAX, type AdminToken, type Logger } from '@yecai/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { mountAggregationRoutes } from './aggregation/admin';
import { LEDGER_STATES } from './ledger/model';
import { AdminActionError, type PostingService } from './service';

const ListQuerySchema = z.object({
  state: z.enum(LEDGER_STATES).optional(),
  flow: z.string().regex(/^[a-z_]+$/, 'flow is a canonical document type, e.g. sales_outstock').optional(),
  form: z.string().regex(/^[A-Za-z_]+$/, 'form is a target form id, e.g. SAL_OUTSTOCK').optional(),
  code: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'code is a problem code, e.g. LOT_REQUIRED').optional(),
  key: z.string().min(1).max(300).optional(),
  q: z.string().trim().max(SEARCH_TEXT_MAX, `q 最多 ${SEARCH_TEXT_MAX} 个字符 (q: at most ${SEARCH_TEXT_MAX} characters)`).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  skip: z.coerce.number().int().min(0).default(0),
});
const SkipBodySchema = z.object({ reason: z.string().trim().min(2, 'reason is required: say why this document is not posted') });
const PauseBodySchema = z.object({ reason: z.string().trim().min(2, 'reason is required') });
const RepushBodySchema = z.object({ note: z.string().max(500).optional() }).default({});



export function mountSinkAdmin(app: express.Express, service: PostingService, tokens: readonly AdminToken[], logger?: Logger): void {
  const auth = createAdminAuth({ tokens, ...(logger ? { logger } : {}) });
  const need = auth.need;
  const router = express.Router();
  // First: nothing below (body parsing included) runs for a caller without a valid token.
  router.use(auth.guard);
  router.use(express.json({ limit: '64kb' }));

  const handle = (work: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      res.json(await work(req, res));
    } catch (error) {
      if (error instanceof AdminBadRequest) res.status(400).json({ error: error.message, field: error.field });
      else if (error instanceof AdminActionError) res.status(error.status).json({ error: error.message });
      else res.status(500).json({ error: (error as Error).message });
    }
  };
  const caller = (res: Response) => adminCaller(res)!;

  router.get(
    '/documents',
    need('viewer'),
    handle(async (req) => {
      const query = parseAdminInput(ListQuerySchema, req.query, 'query');
      const documents = await service.ledger.list({ state: query.state, documentType: query.flow, formId: query.form, problemCode: query.code, documentKey: query.key, q: query.q || undefined }, query.limit, query.skip);
      return { documents };
    }),
  );
  router.get(
    '/documents/:id',
    need('viewer'),
    handle(async (req) => {
      const id = String(req.params.id);
      const entry = await service.ledger.get(id);
      if (!entry) {
        // Aggregation hook: a source document of an aggregated flow has no bill of its own; show where it went.
        const aggregated = await service.aggregation.trace(id);
        if (aggregated) return { document: null, aggregated };
        throw new AdminActionError(404, `单据不存在 no ledger entry ${id}`);
      }
      const calls = await service.ledger.callsOf(id);
      // canonical → target requests and answers (`<target>Calls`, e.g. kingdeeCalls) → ledger transitions, in that order.
      const { canonical, ...document } = entry;
      // A document parked as ungroupable (AGGREGATION_KEY_INVALID): where its later versions went (group, bill).
      const aggregated = entry.problem?.code === 'AGGREGATION_KEY_INVALID' ? await service.aggregation.trace(entry.documentKey) : null;
      return { document, canonical, target: service.adapter.name, [`${service.adapter.name}Calls`]: calls, transitions: await service.ledger.history(id), ...(aggregated ? { aggregated } : {}) };
    }),
  );
  router.post(
    '/documents/:id/repush',
    need('operator'),
    handle(async (req, res) => {
      parseAdminInput(RepushBodySchema, req.body, 'body');
      return { document: await service.repush(String(req.params.id), caller(res).name) };
    }),
  );
  router.post(
    '/documents/:id/skip',
    need('operator'),
    handle(async (req, res) => {
      const body = parseAdminInput(SkipBodySchema, req.body, 'body');
      return { document: await service.skip(String(req.params.id), caller(res).name, body.reason) };
    }),
  );
  router.get('/flows', need('viewer'), handle(async () => ({ flows: await service.flowStatus(), lastOutage: service.lastOutage })));
  router.post(
    '/flows/:flow/pause',
    need('operator'),
    handle(async (req, res) => {
      const body = parseAdminInput(PauseBodySchema, req.body, 'body');
      return { pause: await service.pauseFlow(String(req.params.flow), caller(res).name, body.reason) };
    }),
  );
  router.post(
    '/flows/:flow/resume',
    need('operator'),
    handle(async (req, res) => ({ pause: await service.resumeFlow(String(req.params.flow), caller(res).name) })),
  );
  router.get(
    '/undecodable',
    need('viewer'),
    handle(async (req) => {
      const { limit } = parseAdminInput(z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }), req.query, 'query');
      return { messages: await service.listUndecodable(limit) };
    }),
  );
  mountAggregationRoutes(router, service.aggregation, { need, handle, parse: parseAdminInput, callerName: (res) => caller(res).name, notFound: (message) => new AdminActionError(404, message) });
  // Malformed JSON bodies: 400 naming the body.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(400).json({ error: `body: not valid JSON (${(error as Error).message})`, field: 'body' });
  });
  app.use('/admin', router);
}
