import express, { type Express } from 'express';
import type { CallStats } from './calls';
import type { FaultKnobs } from './faults';

export interface AdminCore<F extends object> {
  stats: CallStats;
  faults: FaultKnobs<F>;
  /** What `GET /__admin/state` adds beside `stats` and `faults` (document counts, server time…). */
  state?: () => Record<string, unknown>;
  /** Largest JSON body the admin routes accept (seeding a world can be large). */
  bodyLimit?: string;
}

/**
 * The control routes every emulator has (tests and demos only, never part of the emulated API):
 * `GET /__admin/state` → `{stats, faults, …state()}`, `POST /__admin/faults` (merged) → `{faults}`,
 * `POST /__admin/stats/reset` → `{stats}`. Also parses JSON bodies for the emulator's own `/__admin/...` routes
 * mounted after it (seed, documents, tokens…).
 */
export function mountAdminCore<F extends object>(app: Express, core: AdminCore<F>): void {
  app.use('/__admin', express.json({ limit: core.bodyLimit ?? '1mb' }));
  app.get('/__admin/state', (_req, res) => {
    res.json({ stats: core.stats.counts, faults: core.faults.current, ...core.state?.() });
  });
  app.post('/__admin/faults', (req, res) => {
    res.json({ faults: core.faults.merge(req.body as Partial<F>) });
  });
  app.post('/__admin/stats/reset', (_req, res) => {
    core.stats.reset();
    res.json({ stats: core.stats.counts });
  });
}
