/**
 * Admin routes of aggregated posting (mounted by admin-api.ts with its auth and validation helpers):
 * open groups, operator "close now", and a source document's trace (group → summary bill → entry rows).
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Aggregator } from './aggregator';

export interface AdminHelpers {
  need: (role: 'viewer' | 'operator') => RequestHandler;
  handle: (work: (req: Request, res: Response) => Promise<unknown>) => RequestHandler;
  parse: <S extends z.ZodType>(schema: S, input: unknown, where: string) => z.infer<S>;
  callerName: (res: Response) => string;
  notFound: (message: string) => Error;
}

const GroupsQuerySchema = z.object({ flow: z.string().regex(/^[a-z_]+$/, 'flow is a canonical document type, e.g. sales_outstock').optional() });
const CloseBodySchema = z.object({
  keyHash: z.string().regex(/^[0-9A-F]{12}$/, 'keyHash is the 12-character group hash shown by GET /admin/aggregation/groups').optional(),
  reason: z.string().max(500).optional(),
});

export function mountAggregationRoutes(router: Router, aggregator: Aggregator, { need, handle, parse, callerName, notFound }: AdminHelpers): void {
  router.get(
    '/aggregation/groups',
    need('viewer'),
    handle(async (req) => ({ groups: await aggregator.openGroups(parse(GroupsQuerySchema, req.query, 'query').flow) })),
  );
  router.post(
    '/aggregation/:flow/close',
    need('operator'),
    handle(async (req, res) => {
      const body = parse(CloseBodySchema, req.body, 'body');
      const flow = String(req.params.flow);
      if (!aggregator.aggregatedFlows().some((candidate) => candidate.documentType === flow)) throw notFound(`flow ${flow} has no aggregation configured 该流程未配置汇总`);
      return aggregator.closeNow(flow, callerName(res), body.keyHash);
    }),
  );
  router.get(
    '/aggregation/documents/:documentKey',
    need('viewer'),
    handle(async (req) => {
      const documentKey = String(req.params.documentKey);
      const trace = await aggregator.trace(documentKey);
      if (!trace) throw notFound(`单据未进入汇总 no aggregation record for ${documentKey}`);
      return trace;
    }),
  );
}
