/**
 * Admin API of the reconciliation service (mounted on the ops server under /admin), for the console: the reports
 * kept, the latest of a period as JSON or as the workbook, and a run on demand. Bearer tokens as every yecai admin
 * API (@yecai/common admin-auth): reads need a viewer, a run an operator; bad input is refused with 400 naming the field.
 */
import { AdminBadRequest, adminCaller, createAdminAuth, parseAdminInput, ValidationError, type AdminToken, type Logger } from '@yecai/common';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { RECONCILE_FLOWS } from './flows';
import { PERIOD_PATTERN, parsePeriod } from './reconcile';
import { writeWorkbook, type ReconciliationReport } from './report';
import { renderHtml } from './report-html';
import type { ReconcileService } from './service';

const RunBodySchema = z.object({
  period: z.string().regex(PERIOD_PATTERN, 'period is YYYY-MM, e.g. 2026-11'),
  flows: z.array(z.enum(RECONCILE_FLOWS.map((flow) => flow.documentType) as [string, ...string[]])).optional(),
  org: z.string().min(1).optional(),
});
const ListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

function periodParam(req: Request): string {
  try {
    return parsePeriod(String(req.params.period));
  } catch (error) {
    throw new AdminBadRequest('period', error instanceof ValidationError ? error.message : String(error));
  }
}

export function mountReconcileAdmin(
  app: express.Express,
  service: ReconcileService,
  tokens: readonly AdminToken[],
  logger?: Logger,
): void {
  const auth = createAdminAuth({ tokens, ...(logger ? { logger } : {}) });
  const router = express.Router();
  router.use(auth.guard);
  router.use(express.json({ limit: '16kb' }));

  const handle = (work: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      const body = await work(req, res);
      if (!res.headersSent) res.json(body);
    } catch (error) {
      if (error instanceof AdminBadRequest) res.status(400).json({ error: error.message, field: error.field });
      else if (error instanceof ValidationError) res.status(400).json({ error: error.message, field: error.field });
      else res.status(500).json({ error: (error as Error).message });
    }
  };
  const notFound = (period: string) => ({
    error: `期间 ${period} 还没有对账报告 no reconciliation report for ${period} yet`,
  });

  router.get(
    '/reports',
    handle(async (req) => ({
      reports: await service.list(parseAdminInput(ListQuerySchema, req.query, 'query').limit),
    })),
  );
  /** A route serving the latest report of `:period` in some form; 404 naming the period when there is none. */
  const latestReport = (
    send: (report: ReconciliationReport, res: Response, period: string) => Promise<unknown> | unknown,
  ) =>
    handle(async (req, res) => {
      const period = periodParam(req);
      const report = await service.latest(period);
      if (!report) res.status(404).json(notFound(period));
      else await send(report, res, period);
      return undefined;
    });
  router.get(
    '/reports/:period',
    latestReport((report, res) => res.json(report)),
  );
  router.get(
    '/reports/:period/workbook',
    latestReport(async (report, res, period) =>
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .set('Content-Disposition', `attachment; filename="reconciliation-${period}.xlsx"`)
        .send(await writeWorkbook(report)),
    ),
  );
  router.get(
    '/reports/:period/html',
    latestReport((report, res) => res.type('text/html; charset=utf-8').send(renderHtml(report))),
  );
  router.post(
    '/runs',
    handle(async (req, res) => {
      const body = parseAdminInput(RunBodySchema, req.body, 'body');
      const report = await service.run(body.period, adminCaller(res)!.name, { flows: body.flows, org: body.org });
      return {
        period: report.period,
        verdict: report.verdict,
        generatedAt: report.generatedAt,
        differences: report.differences.length,
        summaries: report.summaries,
      };
    }),
  );
  app.use('/admin', router);
}
