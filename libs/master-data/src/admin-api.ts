import express, { type Request, type Response, type Router } from 'express';
import { YecaiError } from '@yecai/common';
import { ENTITY_NAMES, isEntityName, type EntityName } from './entities';
import { importMasterData, validateRows } from './import';
import type { MasterDataStore } from './store';

export interface MasterDataAdminOptions {
  /** Called after every successful write, e.g. to drop mapping caches and re-process parked documents. */
  onChange?: (entity: EntityName) => void | Promise<void>;
}

/**
 * Admin HTTP API under `/master-data`:
 * - GET    /master-data                       → entity names
 * - GET    /master-data/:entity?limit&skip    → records
 * - GET    /master-data/:entity/:key          → one record (key = natural key parts joined by `/`, URL-encoded)
 * - PUT    /master-data/:entity               → JSON record or array; 400 names every bad field, nothing written
 * - DELETE /master-data/:entity/:key
 * - POST   /master-data/:entity/import?format=csv|json&partial=true  (body: the file as text)
 *
 * Mount it behind an admin guard (`createAdminAuth(...).guard` from @yecai/common): viewers read, operators write.
 */
export function masterDataRouter(store: MasterDataStore, options: MasterDataAdminOptions = {}): Router {
  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  router.use(express.text({ type: ['text/*', 'application/csv'], limit: '50mb' }));

  const entityOf = (req: Request, res: Response): EntityName | undefined => {
    const entity = String(req.params.entity);
    if (isEntityName(entity)) return entity;
    res.status(404).json({ error: `未知的主数据类型 ${entity} (unknown master-data entity "${entity}")`, field: 'entity', entities: ENTITY_NAMES });
    return undefined;
  };

  router.get('/master-data', (_req, res) => {
    res.json({ entities: ENTITY_NAMES });
  });

  router.get('/master-data/:entity', async (req, res) => {
    const entity = entityOf(req, res);
    if (!entity) return;
    const limit = Math.min(Number(req.query.limit ?? 1000) || 1000, 10_000);
    const skip = Number(req.query.skip ?? 0) || 0;
    res.json({ entity, records: await store.list(entity, limit, skip) });
  });

  router.get('/master-data/:entity/*key', async (req, res) => {
    const entity = entityOf(req, res);
    if (!entity) return;
    const key = ([] as string[]).concat(req.params.key as unknown as string[]).join('/');
    const record = await store.get(entity, key);
    if (!record) res.status(404).json({ error: `${entity} ${key} 不存在 (not found)` });
    else res.json(record);
  });

  router.put('/master-data/:entity', async (req, res) => {
    const entity = entityOf(req, res);
    if (!entity) return;
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object') {
      res.status(400).json({ error: '请求体必须是 JSON 对象或数组 (body must be a JSON object or array)', field: '(body)' });
      return;
    }
    const rows = Array.isArray(body) ? body : [body];
    const { valid, errors } = validateRows(entity, rows);
    if (errors.length > 0) {
      const first = errors[0]!;
      const field = Array.isArray(body) ? `[${first.row - 1}].${first.field}` : first.field;
      res.status(400).json({ error: `${field}: ${first.message}`, field, errors });
      return;
    }
    const result = await store.upsertValid(entity, valid);
    await options.onChange?.(entity);
    res.json({ entity, ...result });
  });

  router.delete('/master-data/:entity/*key', async (req, res) => {
    const entity = entityOf(req, res);
    if (!entity) return;
    const key = ([] as string[]).concat(req.params.key as unknown as string[]).join('/');
    const removed = await store.remove(entity, key);
    if (removed) await options.onChange?.(entity);
    res.status(removed ? 200 : 404).json({ removed });
  });

  router.post('/master-data/:entity/import', async (req, res) => {
    const entity = entityOf(req, res);
    if (!entity) return;
    const format = String(req.query.format ?? 'csv');
    if (format !== 'csv' && format !== 'json') {
      res.status(400).json({ error: `format 只能是 csv 或 json (format must be csv or json, got "${format}")`, field: 'format' });
      return;
    }
    const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? '');
    const report = await importMasterData(store, entity, text, format, { partial: req.query.partial === 'true' });
    if (report.written) await options.onChange?.(entity);
    res.status(report.errors.length > 0 && !report.written ? 400 : 200).json(report);
  });

  router.use((error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    if (error instanceof SyntaxError) {
      res.status(400).json({ error: `请求体不是合法 JSON (body is not valid JSON): ${error.message}`, field: '(body)' });
      return;
    }
    const status = error instanceof YecaiError && error.level === 1 ? 400 : 500;
    res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
  });
  return router;
}
