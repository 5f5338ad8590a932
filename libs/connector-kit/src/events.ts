/**
 * Instrumentation events of the sync runtime; metrics (and tests) subscribe to them instead of metric calls
 * being sprinkled through the logic.
 */
export type SyncEvent =
  | { type: 'api_call'; account: string; stream: string; outcome: string; durationMs: number }
  | { type: 'throttled'; account: string; stream: string; code: string; retryAfterMs: number }
  | { type: 'published'; account: string; stream: string; origin: 'LIVE' | 'BACKFILL'; count: number; skipped: number }
  | { type: 'committed'; account: string; stream: string; mode: 'live' | 'backfill'; cursor: string; cursorMs?: number }
  | { type: 'cycle_failed'; account: string; stream: string; code: string; message: string };

export type SyncEventListener = (event: SyncEvent) => void;

export class SyncEvents {
  private readonly listeners: SyncEventListener[] = [];

  on(listener: SyncEventListener): void {
    this.listeners.push(listener);
  }

  emit(event: SyncEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
