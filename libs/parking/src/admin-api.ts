import { adminCaller, SEARCH_TEXT_MAX } from '@yecai/common';
import express, { type Router } from 'express';
import type { FilteredStore } from './filtered';
import type { ParkedStatus, ParkingStore, ParkedDocument } from './store';

const STATUSES: ParkedStatus[] = ['OPEN', 'REPUSHED', 'RESOLVED', 'SKIPPED', 'SUPERSEDED'];

export interface ParkingAdminOptions {
  /** Sends the parked document back into the pipeline (e.g. re-produces the raw document); the store records it. */
  repush: (document: ParkedDocument) => Promise<void>;
  /** Documents the rules' filters left out (read-only), served on this router so its authentication covers them. */
  filtered?: FilteredStore;
}

/**
 * - GET  /parked?stage&status&code&flow&key&q&limit&skip → entries (raw payload included); q: text in the key, code
 *   or reason, ignoring case
 * - GET  /parked/:id
 * - POST /parked/:id/repush     → re-push one OPEN entry (body { note } optional)
 * - POST /parked/:id/skip       → a person decided not to sync it (body { note }: why, required)
 * - GET  /filtered?flow&key&filter&q&limit&skip → documents left out by a rule filter, newest first, with the total;
 *   q: text in the key, the filter's name or its description
 *
 * Mount it behind an admin guard (`createAdminAuth(...).guard` from @yecai/common): viewers read, operators re-push
 * and skip. The operator's token name is stored with the move (`by`), next to the note.
 */
export function parkingRouter(store: ParkingStore, options: ParkingAdminOptions): Router {
  const router = express.Router();
  router.use(express.json());

  /** The query box's text, or a 400 naming q when it is too long. */
  const searchText = (req: express.Request, res: express.Response): string | undefined | null => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : undefined;
    if (q !== undefined && q.length > SEARCH_TEXT_MAX) {
      res.status(400).json({ error: `q 最多 ${SEARCH_TEXT_MAX} 个字符 (q: at most ${SEARCH_TEXT_MAX} characters)`, field: 'q' });
      return null;
    }
    return q === '' ? undefined : q;
  };

  router.get('/parked', async (req, res) => {
    const q = searchText(req, res);
    if (q === null) return;
    const status = req.query.status === undefined ? undefined : String(req.query.status);
    if (status !== undefined && !STATUSES.includes(status as ParkedStatus)) {
      res.status(400).json({ error: `status 只能是 ${STATUSES.join('/')} (status must be one of ${STATUSES.join(', ')})`, field: 'status' });
      return;
    }
    const text = (name: string) => (req.query[name] === undefined ? undefined : String(req.query[name]));
    const documents = await store.list({
      stage: text('stage'),
      status: status as ParkedStatus | undefined,
      code: text('code'),
      flow: text('flow'),
      key: text('key'),
      q,
      limit: Number(req.query.limit ?? 100) || 100,
      skip: Number(req.query.skip ?? 0) || 0,
    });
    res.json({ documents });
  });

  const filtered = options.filtered;
  if (filtered) {
    router.get('/filtered', async (req, res) => {
      const text = (name: string) => (req.query[name] === undefined ? undefined : String(req.query[name]));
      const q = searchText(req, res);
      if (q === null) return;
      const query = { flow: text('flow'), key: text('key'), filter: text('filter'), q };
      const documents = await filtered.list({ ...query, limit: Number(req.query.limit ?? 100) || 100, skip: Number(req.query.skip ?? 0) || 0 });
      res.json({ total: await filtered.count(query), documents });
    });
  }

  router.get('/parked/:id', async (req, res) => {
    const document = await store.get(req.params.id);
    if (!document) res.status(404).json({ error: `没有这条挂起记录 (no parked document ${req.params.id})` });
    else res.json(document);
  });

  router.post('/parked/:id/repush', async (req, res) => {
    const document = await store.get(req.params.id);
    if (!document) {
      res.status(404).json({ error: `没有这条挂起记录 (no parked document ${req.params.id})` });
      return;
    }
    if (document.status === 'REPUSHED') {
      // Already on its way again (an operator, or mapping itself once the missing master data arrived): what was asked
      // is done; pushing it a second time would only publish a duplicate raw version.
      res.json({ repushed: document._id, alreadyRepushed: true });
      return;
    }
    if (document.status !== 'OPEN') {
      res.status(409).json({ error: `只能重推未处理的记录，当前状态 ${document.status} (only OPEN entries can be re-pushed; this one is ${document.status})` });
      return;
    }
    await options.repush(document);
    await store.transition(document._id, 'REPUSHED', noteOf(req.body), adminCaller(res)?.name);
    res.json({ repushed: document._id });
  });

  router.post('/parked/:id/skip', async (req, res) => {
    const note = noteOf(req.body);
    if (note === undefined || note.length < 2) {
      res.status(400).json({ error: 'note 必填：说明为什么不同步这条单据 (note is required: say why this document is not synced)', field: 'note' });
      return;
    }
    const moved = await store.transition(req.params.id, 'SKIPPED', note, adminCaller(res)?.name);
    res.status(moved ? 200 : 409).json({ skipped: moved });
  });
  return router;
}

function noteOf(body: unknown): string | undefined {
  const note = (body as { note?: unknown } | undefined)?.note;
  return typeof note === 'string' && note.trim() !== '' ? note.trim().slice(0, 500) : undefined;
}
