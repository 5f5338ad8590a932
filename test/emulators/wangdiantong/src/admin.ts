import type { Express, Response } from 'express';
import { formatBeijingTime, parseBeijingTime } from '@yecai/common';
import { mountAdminCore, type CallStats, type FaultKnobs } from '@yecai/emulator-kit';
import { DocumentInputError, type WdtDocumentInput } from './documents';
import { generateDocuments } from './generator';
import { WDT_DOCUMENT_TYPES, type WdtDocumentType } from './protocol';
import type { WdtFaults } from './server';
import type { WdtStore } from './store';
import type { WdtWorldInput } from './world';

/**
 * Control API for tests, the e2e and demos (not part of WDT), mirroring the JST emulator's `/__admin`:
 * state and call counts, faults, the company's world, documents (add, modify, renumber).
 * Times in bodies are Beijing `yyyy-MM-dd HH:mm:ss` strings or epoch ms.
 */
export function mountAdmin(
  app: Express,
  context: {
    store: WdtStore;
    seed: number;
    now: () => number;
    stats: CallStats;
    faults: FaultKnobs<WdtFaults>;
  },
): void {
  const { store, now } = context;
  mountAdminCore(app, {
    stats: context.stats,
    faults: context.faults,
    bodyLimit: '5mb',
    state: () => ({
      counts: Object.fromEntries(WDT_DOCUMENT_TYPES.map((type) => [type, store.count(type)])),
      serverTime: formatBeijingTime(now()),
    }),
  });

  app.get('/__admin/world', (_req, res) => {
    res.json({
      shops: store.listShops(),
      warehouses: store.listWarehouses(),
      goods: store.listGoods(),
      providers: store.listProviders(),
    });
  });
  app.post('/__admin/world', (req, res) => {
    const world = req.body as WdtWorldInput;
    store.seedWorld({ ...world, goods: world.goods?.map((goods) => ({ ...goods, modified: timeOf(goods.modified, now) })) });
    res.json({ shops: store.listShops().length, warehouses: store.listWarehouses().length, goods: store.listGoods().length });
  });

  // Stock moved by pushes (采购入库 push: + stockin_num per warehouse and spec).
  app.get('/__admin/stock', (_req, res) => {
    res.json({ stock: store.listStock() });
  });

  app.get('/__admin/documents/:type', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type) return unknownType(res, req.params.type);
    res.json({ documents: store.versions(type) });
  });
  /**
   * Body `{documents: WdtDocumentInput[]}` adds the given documents; `{count, modified?, status?}` adds `count`
   * generated documents all modified in one second (same-second ties).
   */
  app.post('/__admin/documents/:type', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type) return unknownType(res, req.params.type);
    const body = req.body as { documents?: WdtDocumentInput[]; count?: number; modified?: string | number; status?: number };
    try {
      if (Array.isArray(body.documents)) {
        const added = body.documents.map((input, index) =>
          store.addDocument(type, {
            ...input,
            modified: timeOf(input.modified, now, `documents[${index}].modified`),
            eventTime: input.eventTime === undefined ? undefined : timeOf(input.eventTime, now, `documents[${index}].eventTime`),
            created: input.created === undefined ? undefined : timeOf(input.created, now, `documents[${index}].created`),
          }),
        );
        return res.json({ documents: added });
      }
      const modifiedMs = timeOf(body.modified, now, 'modified');
      const before = store.count(type);
      generateDocuments(store, context.seed, {
        perType: { [type]: body.count ?? 1 },
        fromMs: modifiedMs,
        toMs: modifiedMs,
        sameSecondRatio: 1,
        ...(body.status === undefined ? {} : { status: body.status }),
      });
      res.json({ documents: store.versions(type).slice(before) });
    } catch (error) {
      badRequest(res, error);
    }
  });
  /** Body `{modified?, status?, eventTime?, fields?}`: a later change to one document (late update). */
  app.post('/__admin/documents/:type/:id', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type) return unknownType(res, req.params.type);
    const id = Number(req.params.id);
    if (!store.get(type, id)) return res.status(404).json({ error: `no ${type} document with id ${req.params.id}` });
    const body = req.body as { modified?: string | number; status?: number; eventTime?: string | number; fields?: Record<string, string | number> };
    try {
      res.json({
        document: store.modifyDocument(type, id, timeOf(body.modified, now, 'modified'), {
          ...(body.status === undefined ? {} : { status: body.status }),
          ...(body.eventTime === undefined ? {} : { eventTime: timeOf(body.eventTime, now, 'eventTime') }),
          ...(body.fields ? { fields: body.fields } : {}),
        }),
      });
    } catch (error) {
      badRequest(res, error);
    }
  });
  /** 驳回 + re-审核: new document number, same id (source-apis §3.3). */
  app.post('/__admin/documents/:type/:id/renumber', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type) return unknownType(res, req.params.type);
    const id = Number(req.params.id);
    if (!store.get(type, id)) return res.status(404).json({ error: `no ${type} document with id ${req.params.id}` });
    const body = req.body as { modified?: string | number };
    try {
      res.json({ document: store.renumberDocument(type, id, timeOf(body.modified, now, 'modified')) });
    } catch (error) {
      badRequest(res, error);
    }
  });
}

function timeOf(value: unknown, now: () => number, field = 'modified'): number {
  if (value === undefined || value === null || value === '') return now();
  if (typeof value === 'number') return value;
  return parseBeijingTime(value, field);
}

function documentTypeOf(name: string | undefined): WdtDocumentType | undefined {
  return WDT_DOCUMENT_TYPES.find((type) => type === name);
}

function unknownType(res: Response, name: unknown) {
  return res.status(404).json({ error: `unknown document type ${String(name)}; one of ${WDT_DOCUMENT_TYPES.join(', ')}` });
}

function badRequest(res: Response, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  const field = error instanceof DocumentInputError ? error.field : (error as { field?: string }).field;
  res.status(400).json({ error: message, ...(field ? { field } : {}) });
}
