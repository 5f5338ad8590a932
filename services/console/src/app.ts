/**
 * The console's HTTP API (`/api/...`) and its web pages (the built front end, `web/dist`), mounted on the ops server.
 * Every /api route except login needs a session; every changing one an operator's session (403 for a viewer), and
 * writes one audit record (who, what, why, when, outcome). Bad input → 400 naming the field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AdminBadRequest, errorMessage, parseAdminInput, type Logger } from '@yecai/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AuditLog } from './audit';
import type { ConsoleConfig } from './config';
import { EXCEPTION_KINDS, ExceptionQuerySchema, ExceptionQueue, KIND_LABELS } from './exceptions';
import { ExceptionExportSchema, describeFilters, exportExceptions } from './export';
import { Sessions, sessionUser } from './session';
import { AdminClient, UpstreamError, queryOf } from './upstream';

export const WEB_DIST = join(__dirname, '..', 'web', 'dist');


const reason = z.string().trim().min(2, 'reason 必填：说明原因 reason is required: say why');
const LoginSchema = z.object({
  name: z.string().min(1, 'name 必填 name is required'),
  password: z.string().min(1, 'password 必填 password is required'),
});
const BatchSchema = z.object({
  action: z.enum(['repush', 'skip']),
  reason,
  items: z
    .array(z.object({ kind: z.enum(EXCEPTION_KINDS), id: z.string().min(1) }))
    .min(1, 'items: choose at least one document')
    .max(500, 'items: at most 500 documents per batch'),
});
const ReasonSchema = z.object({ reason });
const PageSchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
const MasterDataPutSchema = z.object({ reason, record: z.record(z.string(), z.unknown()) });
const RunSchema = z.object({
  reason,
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'period is YYYY-MM, e.g. 2026-11'),
});
const entityParam = z.string().regex(/^[a-z_]+$/, 'entity is a master-data type, e.g. warehouse');
const flowParam = z.string().regex(/^[a-z_]+$/, 'flow is a document type, e.g. sales_outstock');

export interface ConsoleDeps {
  config: ConsoleConfig;
  audit: AuditLog;
  logger?: Logger;
  /** Where the built pages are (default web/dist); absent → the API only, with a hint at `/`. */
  webDist?: string;
}

export function mountConsole(app: express.Express, deps: ConsoleDeps): void {
  const { config, audit, logger } = deps;
  const sessions = new Sessions(config);
  const sink = new AdminClient('sink', config.services.sink);
  const mapping = new AdminClient('mapping', config.services.mapping);
  const reconcile = config.services.reconcile ? new AdminClient('reconcile', config.services.reconcile) : undefined;
  const queue = new ExceptionQueue(sink, mapping);

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));

  const handle = (work: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      const body = await work(req, res);
      if (!res.headersSent) res.json(body);
    } catch (error) {
      if (error instanceof AdminBadRequest) res.status(400).json({ error: error.message, field: error.field });
      else if (error instanceof UpstreamError)
        res.status(error.status).json({ error: error.message, ...(error.field ? { field: error.field } : {}) });
      else {
        logger?.error({ err: errorMessage(error), path: req.originalUrl }, 'console request failed');
        res.status(500).json({ error: `内部错误 internal error: ${errorMessage(error)}` });
      }
    }
  };

  /** Runs an operator action and records it in the audit log, whether the service accepted it or not. */
  const audited = async <T>(
    res: Response,
    action: string,
    target: string,
    why: string | null,
    work: () => Promise<T>,
  ): Promise<T> => {
    const user = sessionUser(res);
    const base = { at: new Date(), actor: user.name, role: user.role, action, target, reason: why };
    try {
      const result = await work();
      await audit.record({ ...base, outcome: 'ok' });
      return result;
    } catch (error) {
      await audit.record({ ...base, outcome: 'failed', detail: errorMessage(error) });
      throw error;
    }
  };
  /** The note a service stores with the move: the console user's name, since the service only sees the console's token. */
  const noteOf = (res: Response, why: string) => `${why} (${sessionUser(res).name} 经控制台 via console)`;

  // Login and logout are the only routes without a session.
  api.post(
    '/login',
    handle(async (req, res) => {
      const body = parseAdminInput(LoginSchema, req.body, 'body');
      const user = sessions.authenticate(body.name, body.password);
      if (!user) {
        logger?.warn({ name: body.name }, 'console login refused');
        res.status(401).json({ error: '用户名或密码错误 wrong name or password', field: 'password' });
        return undefined;
      }
      sessions.issue(res, user);
      logger?.info({ actor: user.name, role: user.role }, 'console login');
      return { user };
    }),
  );
  api.post('/logout', (_req, res) => {
    sessions.clear(res);
    res.json({ ok: true });
  });

  api.use(sessions.guard());

  api.get('/me', (_req, res) => {
    res.json({ user: sessionUser(res) });
  });

  api.get(
    '/overview',
    handle(async () => {
      const [flows, counts] = await Promise.all([
        sink.call<{ flows: unknown[]; lastOutage: unknown }>('GET', '/admin/flows'),
        queue.counts(),
      ]);
      return { ...flows, counts, kinds: KIND_LABELS };
    }),
  );

  api.get(
    '/exceptions',
    handle(async (req) => queue.page(parseAdminInput(ExceptionQuerySchema, req.query, 'query'))),
  );
  // A viewer may export too; the export is audited (who, which filters, how many rows).
  api.get(
    '/exceptions/export',
    handle(async (req, res) => {
      const query = parseAdminInput(ExceptionExportSchema, req.query, 'query');
      const user = sessionUser(res);
      const { workbook, rows, capped } = await audited(res, 'exception.export', describeFilters(query), null, () =>
        exportExceptions(queue, query, user.name),
      );
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .set('Content-Disposition', `attachment; filename="exceptions-${stamp}.xlsx"`)
        .set('X-Export-Rows', String(rows))
        .set('X-Export-Capped', String(capped))
        .send(workbook);
      return undefined;
    }),
  );
  api.get(
    '/documents',
    handle(async (req) =>
      queue.find(
        parseAdminInput(
          z.object({
            key: z.string().trim().min(3, 'key: a document key, e.g. jushuitan/demo/sales_outstock/1001').max(300),
          }),
          req.query,
          'query',
        ).key,
      ),
    ),
  );
  api.get(
    '/exceptions/:kind/:id/trace',
    handle(async (req) => {
      const kind = parseAdminInput(z.enum(EXCEPTION_KINDS), req.params.kind, 'kind');
      return queue.trace(kind, String(req.params.id));
    }),
  );
  api.post(
    '/exceptions/batch',
    handle(async (req, res) => {
      const body = parseAdminInput(BatchSchema, req.body, 'body');
      const results = [];
      for (const item of body.items) {
        try {
          const answer = await audited(res, `exception.${body.action}`, `${item.kind}:${item.id}`, body.reason, () =>
            queue.act(body.action, item.kind, item.id, noteOf(res, body.reason)),
          );
          const already = (answer as { alreadyRepushed?: unknown } | undefined)?.alreadyRepushed === true;
          results.push({ ...item, ok: true, ...(already ? { already: true } : {}) });
        } catch (error) {
          results.push({ ...item, ok: false, error: errorMessage(error) });
        }
      }
      return {
        action: body.action,
        done: results.filter((result) => result.ok).length,
        /** Of `done`: already re-pushed before this batch (by someone else, or by mapping once master data arrived). */
        already: results.filter((result) => 'already' in result).length,
        failed: results.filter((result) => !result.ok).length,
        results,
      };
    }),
  );

  api.get(
    '/flows',
    handle(async () => sink.call('GET', '/admin/flows')),
  );
  for (const move of ['pause', 'resume'] as const) {
    api.post(
      `/flows/:flow/${move}`,
      handle(async (req, res) => {
        const flow = parseAdminInput(flowParam, req.params.flow, 'flow');
        const body = parseAdminInput(ReasonSchema, req.body, 'body');
        return audited(res, `flow.${move}`, flow, body.reason, () =>
          sink.call(
            'POST',
            `/admin/flows/${flow}/${move}`,
            move === 'pause' ? { reason: noteOf(res, body.reason) } : {},
          ),
        );
      }),
    );
  }

  api.get(
    '/master-data',
    handle(async () => mapping.call('GET', '/master-data')),
  );
  api.get(
    '/master-data/:entity',
    handle(async (req) => {
      const entity = parseAdminInput(entityParam, req.params.entity, 'entity');
      const { page, pageSize } = parseAdminInput(PageSchema, req.query, 'query');
      const { records } = await mapping.call<{ records: unknown[] }>(
        'GET',
        `/master-data/${entity}${queryOf({ limit: pageSize + 1, skip: (page - 1) * pageSize })}`,
      );
      return { entity, records: records.slice(0, pageSize), page, pageSize, hasMore: records.length > pageSize };
    }),
  );
  api.put(
    '/master-data/:entity',
    handle(async (req, res) => {
      const entity = parseAdminInput(entityParam, req.params.entity, 'entity');
      const body = parseAdminInput(MasterDataPutSchema, req.body, 'body');
      return audited(res, 'master-data.put', `${entity}:${JSON.stringify(body.record)}`, body.reason, () =>
        mapping.call('PUT', `/master-data/${entity}${queryOf({ reason: noteOf(res, body.reason) })}`, body.record),
      );
    }),
  );

  const needReconcile = () => {
    if (!reconcile)
      throw new UpstreamError(503, '未配置对账服务 the reconcile service is not configured (services.reconcile)');
    return reconcile;
  };
  api.get(
    '/reconcile/reports',
    handle(async () => needReconcile().call('GET', '/admin/reports')),
  );
  api.get(
    '/reconcile/reports/:period',
    handle(async (req) => {
      const { period } = parseAdminInput(z.object({ period: RunSchema.shape.period }), req.params, 'params');
      return needReconcile().call('GET', `/admin/reports/${period}`);
    }),
  );
  api.get(
    '/reconcile/reports/:period/workbook',
    handle(async (req, res) => {
      const { period } = parseAdminInput(z.object({ period: RunSchema.shape.period }), req.params, 'params');
      const answer = await needReconcile().raw('GET', `/admin/reports/${period}/workbook`);
      if (!answer.ok)
        throw new UpstreamError(
          answer.status,
          `reconcile: ${((await answer.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${answer.status}`}`,
        );
      res
        .type(answer.headers.get('content-type') ?? 'application/octet-stream')
        .set(
          'Content-Disposition',
          answer.headers.get('content-disposition') ?? `attachment; filename="reconciliation-${period}.xlsx"`,
        )
        .send(Buffer.from(await answer.arrayBuffer()));
      return undefined;
    }),
  );
  api.post(
    '/reconcile/runs',
    handle(async (req, res) => {
      const body = parseAdminInput(RunSchema, req.body, 'body');
      return audited(res, 'reconcile.run', body.period, body.reason, () =>
        needReconcile().call('POST', '/admin/runs', { period: body.period }),
      );
    }),
  );

  api.get(
    '/audit',
    handle(async (req) => {
      const { page, pageSize } = parseAdminInput(PageSchema, req.query, 'query');
      const actor = typeof req.query.actor === 'string' && req.query.actor !== '' ? req.query.actor : undefined;
      return { page, pageSize, ...(await audit.list(pageSize, (page - 1) * pageSize, actor)) };
    }),
  );

  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(400).json({ error: `body: 不是合法 JSON not valid JSON (${errorMessage(error)})`, field: 'body' });
  });
  app.use('/api', api);

  const dist = deps.webDist ?? WEB_DIST;
  if (existsSync(join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: 'index.html', maxAge: '1h' }));
    // Client-side routes (/exceptions, /flows …) get the page; the app picks the view from the path.
    app.get('/{*path}', (req, res) => {
      if (req.path.startsWith('/api/'))
        res.status(404).json({ error: `没有这个接口 no such API route: ${req.method} ${req.path}` });
      else res.sendFile(join(dist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res
        .type('text/plain; charset=utf-8')
        .send('控制台页面尚未构建 the console pages are not built: npm run build -w @yecai/console\n');
    });
  }
}
