/**
 * The mapping service's admin API (on its ops port): master data (/master-data) and parked documents (/parked),
 * behind one guard from @yecai/common admin-auth — a viewer token to read, an operator token to change anything.
 * Every authenticated change is written to the `admin_audit` collection (who, method and path, status, when) and
 * logged; parked re-push/skip also keep the operator's name on the entry itself (`by`).
 *
 * A new admin route goes on the router this returns (see MappingService.mountAdmin), never on the ops app directly:
 * the guard then covers it, and admin-auth.int.test.ts (which walks every route of the ops app) proves it.
 */
import { createAdminAuth, type AdminAction, type AdminToken, type Logger } from '@yecai/common';
import express from 'express';
import type { Db } from 'mongodb';

export const ADMIN_AUDIT_COLLECTION = 'admin_audit';

/** One audited admin action; insert-only (FerretDB-safe), newest last. */
export interface AdminAuditRecord extends AdminAction {
  service: string;
}

export function guardedAdminRouter(options: { tokens: readonly AdminToken[]; db: Db; service: string; logger: Logger }): express.Router {
  const trail = options.db.collection<AdminAuditRecord>(ADMIN_AUDIT_COLLECTION);
  const auth = createAdminAuth({
    tokens: options.tokens,
    logger: options.logger,
    audit: async (action) => {
      await trail.insertOne({ service: options.service, ...action });
    },
  });
  const router = express.Router();
  router.use(auth.guard);
  return router;
}
