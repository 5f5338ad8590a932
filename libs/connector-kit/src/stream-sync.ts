import { createHash } from 'node:crypto';
import { ValidationError, YecaiError, errorMessage, isRetriable, parseBeijingTime, withRetry } from '@yecai/common';
import { markModifiedMs, versionMark, type StreamCheckpoint } from './checkpoint';
import type { SyncEvents } from './events';
import { scalarText } from './json';
import type { CallRateLimiter } from './rate-limit';
import type { StreamDefinition } from './stream';
import { SourceThrottledError, type PageRequest, type PageResult, type SourceTransport } from './transport';

import type { RawDocument } from '@yecai/contracts';
export type { RawDocument };

/** Publishes documents and the checkpoint that accounts for them atomically (one Kafka transaction). */
export interface CheckpointCommitter {
  commit(documents: RawDocument[], checkpoint: StreamCheckpoint): Promise<void>;
}

export interface SyncRetryOptions {
  /** Attempts for errors other than throttling (throttling waits as long as the source asks). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface StreamSyncOptions {
  account: string;
  stream: StreamDefinition;
  transport: SourceTransport;
  limiter: CallRateLimiter;
  /** The budget of another endpoint the transport calls within a page (per-endpoint limits); default: `limiter`. */
  limiterOf?: (endpoint: string) => CallRateLimiter;
  committer: CheckpointCommitter;
  events: SyncEvents;
  retry?: Partial<SyncRetryOptions>;
  now?: () => number;
  /** Minimum time between checkpoint-only commits while catching up over empty windows. */
  idleCommitIntervalMs?: number;
  /** Asked before every API call; when true the cycle ends after the last committed page (service shutdown). */
  shouldStop?: () => boolean;
}

/** Thrown inside a cycle to leave it between pages; the cursor stays before the unfinished window. */
class SyncStopped extends Error {}

export interface CycleResult {
  published: number;
  skipped: number;
  apiCalls: number;
  cursor: string;
}

const DEFAULT_RETRY: SyncRetryOptions = { maxAttempts: 6, initialDelayMs: 200, maxDelayMs: 10_000 };

/**
 * Reads one stream of one account and publishes what is new. The in-memory state only ever moves forward
 * from the last checkpoint that was committed; when anything fails, the next cycle restarts from it.
 */
export class StreamSync {
  private committed: StreamCheckpoint;
  private readonly now: () => number;
  private readonly retry: SyncRetryOptions;

  constructor(
    private readonly options: StreamSyncOptions,
    checkpoint: StreamCheckpoint,
  ) {
    this.committed = structuredClone(checkpoint);
    this.now = options.now ?? Date.now;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  get checkpoint(): StreamCheckpoint {
    return structuredClone(this.committed);
  }

  /**
   * One cycle: live streams read up to now − settle lag; a backfill reads its range. Throws after retries
   * are exhausted; the committed checkpoint is then unchanged by anything not committed.
   */
  async runCycle(): Promise<CycleResult> {
    const state = structuredClone(this.committed);
    const cycle = new CycleState(
      this.options,
      state,
      (checkpoint, documents) => this.commit(checkpoint, documents),
      this.now,
    );
    const { stream } = this.options;
    try {
      if (stream.cursor.kind === 'modified_time') await this.runWindows(cycle, stream.cursor);
      else await this.runTokens(cycle, stream.cursor.tokenField);
    } catch (error) {
      if (!(error instanceof SyncStopped)) throw error;
      // Everything read so far is committed page by page; the unfinished window is re-read (and deduplicated) next time.
      return {
        published: cycle.published,
        skipped: cycle.skipped,
        apiCalls: cycle.apiCalls,
        cursor: this.committed.cursor,
      };
    }
    await cycle.flush(true);
    if (state.mode === 'backfill' && !state.completed) {
      state.completed = true;
      await cycle.flush(true, true);
    }
    return {
      published: cycle.published,
      skipped: cycle.skipped,
      apiCalls: cycle.apiCalls,
      cursor: this.committed.cursor,
    };
  }

  private async runWindows(
    cycle: CycleState,
    cursor: Extract<StreamDefinition['cursor'], { kind: 'modified_time' }>,
  ): Promise<void> {
    const state = cycle.state;
    const lower = state.range?.fromMs ?? 0;
    const upper = state.range ? state.range.toMs : floorToSecond(this.now() - cursor.settleLagMs);
    let from = Math.max(lower, Number(state.cursor) - cursor.overlapMs);
    while (from < upper) {
      const to = Math.min(from + cursor.windowMs, upper);
      await this.readWindow(cycle, from, to);
      if (to > Number(state.cursor)) {
        state.cursor = String(to);
        cycle.touch();
      }
      // Versions older than the next cycle's re-read zone can never be read again by this stream.
      const keepFrom = Number(state.cursor) - cursor.overlapMs;
      for (const [id, mark] of Object.entries(state.seen)) if (markModifiedMs(mark) < keepFrom) delete state.seen[id];
      await cycle.flush(false);
      from = to;
    }
  }

  private async readWindow(cycle: CycleState, fromMs: number, toMs: number): Promise<void> {
    const { paging } = this.options.stream;
    const request = (pageIndex: number): PageRequest => ({
      kind: 'window',
      fromMs,
      toMs,
      pageIndex,
      pageSize: paging.pageSize,
    });
    const first = await this.fetch(cycle, request(1));
    await cycle.accept(first.records, fromMs, toMs);
    await cycle.flushDocuments();
    if (paging.style === 'page_index_forward') {
      let page = first;
      for (let index = 2; page.hasNext; index++) {
        page = await this.fetch(cycle, request(index));
        await cycle.accept(page.records, fromMs, toMs);
        await cycle.flushDocuments();
      }
      return;
    }
    if (!first.hasNext) return;
    if (first.pageCount === undefined) {
      throw new YecaiError(`${this.options.stream.name}: backward paging needs the API's page count`, {
        code: 'PAGE_COUNT_MISSING',
        level: 3,
        retriable: false,
      });
    }
    // Last page first: a row leaving the window mid-scan shifts later rows onto pages already read (a re-read,
    // deduplicated), never past us. Page 1 is read again last for the same reason.
    for (let index = first.pageCount; index >= 1; index--) {
      const page = await this.fetch(cycle, request(index));
      await cycle.accept(page.records, fromMs, toMs);
      await cycle.flushDocuments();
    }
  }

  private async runTokens(cycle: CycleState, tokenField: string): Promise<void> {
    const state = cycle.state;
    for (;;) {
      const page = await this.fetch(cycle, {
        kind: 'token',
        startToken: state.cursor,
        pageSize: this.options.stream.paging.pageSize,
      });
      const before = BigInt(state.cursor);
      let maxToken = before;
      for (const record of page.records) {
        const token = scalarText(record[tokenField]);
        if (token === undefined || !/^\d+$/.test(token)) {
          throw new ValidationError(`${this.options.stream.name}: record without a numeric ${tokenField}`, tokenField);
        }
        if (BigInt(token) > maxToken) maxToken = BigInt(token);
      }
      await cycle.accept(page.records);
      if (maxToken > before) {
        state.cursor = maxToken.toString();
        cycle.touch();
        // Only the boundary token can be returned again (the query is token ≥ cursor).
        const boundary = new Set(
          page.records.filter((r) => scalarText(r[tokenField]) === state.cursor).map((r) => cycle.idOf(r)),
        );
        for (const id of Object.keys(state.seen)) if (!boundary.has(id)) delete state.seen[id];
      }
      await cycle.flushDocuments();
      if (!page.hasNext || maxToken === before) return;
    }
  }

  private async fetch(cycle: CycleState, request: PageRequest): Promise<PageResult> {
    const { account, stream, transport, limiter, events } = this.options;
    let failures = 0;
    return withRetry(
      async () => {
        if (this.options.shouldStop?.()) throw new SyncStopped('stop requested');
        await limiter.acquire();
        const started = Date.now();
        cycle.apiCalls++;
        try {
          const page = await transport.fetchPage(stream, request, {
            acquire: async (endpoint) => {
              cycle.apiCalls++;
              await (this.options.limiterOf?.(endpoint) ?? limiter).acquire();
            },
          });
          events.emit({
            type: 'api_call',
            account,
            stream: stream.name,
            outcome: 'ok',
            durationMs: Date.now() - started,
          });
          return page;
        } catch (error) {
          const code = error instanceof YecaiError ? error.code : 'UNKNOWN';
          events.emit({
            type: 'api_call',
            account,
            stream: stream.name,
            outcome: code,
            durationMs: Date.now() - started,
          });
          if (error instanceof SourceThrottledError) {
            limiter.block(error.retryAfterMs);
            events.emit({ type: 'throttled', account, stream: stream.name, code, retryAfterMs: error.retryAfterMs });
          }
          throw error;
        }
      },
      {
        maxAttempts: Number.MAX_SAFE_INTEGER,
        initialDelayMs: this.retry.initialDelayMs,
        maxDelayMs: this.retry.maxDelayMs,
        // Throttling is the source pacing us, not a failure: wait as asked, without using up attempts.
        shouldRetry: (error) =>
          error instanceof SourceThrottledError || (isRetriable(error) && ++failures < this.retry.maxAttempts),
      },
    );
  }

  /**
   * True after a commit failed: the transaction may have committed all the same (its answer lost, e.g. the broker
   * restarted mid-commit), so `committed` may be behind what Kafka holds — re-reading from it would publish those
   * versions again. The owner must reopen the lane (a new producer resolves the transaction, then the checkpoint
   * is read back) before another cycle.
   */
  commitOutcomeUnknown = false;

  private async commit(checkpoint: StreamCheckpoint, documents: RawDocument[]): Promise<void> {
    const { account, stream, committer, events } = this.options;
    checkpoint.updatedAt = this.now();
    this.commitOutcomeUnknown = true;
    await committer.commit(documents, checkpoint);
    this.commitOutcomeUnknown = false;
    this.committed = structuredClone(checkpoint);
    const cursorMs = stream.cursor.kind === 'modified_time' ? Number(checkpoint.cursor) : undefined;
    events.emit({
      type: 'committed',
      account,
      stream: stream.name,
      mode: checkpoint.mode,
      cursor: checkpoint.cursor,
      cursorMs,
    });
  }
}

/** The working state of one cycle: documents read but not yet committed, and counters. */
class CycleState {
  published = 0;
  skipped = 0;
  apiCalls = 0;
  private pending: RawDocument[] = [];
  private dirty = false;
  private lastCommitAt = 0;

  constructor(
    private readonly options: StreamSyncOptions,
    readonly state: StreamCheckpoint,
    private readonly commit: (checkpoint: StreamCheckpoint, documents: RawDocument[]) => Promise<void>,
    private readonly now: () => number,
  ) {}

  idOf(record: Record<string, unknown>): string {
    const { idField, name } = this.options.stream;
    const id = scalarText(record[idField]);
    if (id === undefined || id === '')
      throw new ValidationError(`${name}: record without ${idField}: ${preview(record)}`, idField);
    return id;
  }

  /** Turns a page's records into new versions; identical versions already published are skipped. */
  async accept(records: Record<string, unknown>[], fromMs?: number, toMs?: number): Promise<void> {
    const { stream, account, transport } = this.options;
    const fetchedAt = this.now();
    for (const record of records) {
      const sourceId = this.idOf(record);
      const modifiedMs = parseModified(record[stream.modifiedField], stream, record);
      if (fromMs !== undefined && toMs !== undefined && (modifiedMs < fromMs || modifiedMs > toMs + 999)) {
        // The source moved it out of the window while we paged; it will be read in the window it now belongs to.
        continue;
      }
      const payload = JSON.stringify(record);
      const contentHash = createHash('sha256').update(payload, 'utf8').digest('hex');
      const mark = versionMark(modifiedMs, contentHash);
      if (this.state.seen[sourceId] === mark) {
        this.skipped++;
        continue;
      }
      this.state.seen[sourceId] = mark;
      this.pending.push({
        sourceSystem: transport.system,
        account,
        documentType: stream.documentType,
        sourceId,
        sourceModifiedAt: modifiedMs,
        fetchedAt,
        payload,
        contentHash,
        origin: this.state.mode === 'backfill' ? 'BACKFILL' : 'LIVE',
      });
    }
    this.dirty = true;
  }

  /** The state changed without new documents (the cursor moved): it still needs a commit. */
  touch(): void {
    this.dirty = true;
  }

  /** Commits at once when the last page brought new versions (documents never wait for a window's end). */
  async flushDocuments(): Promise<void> {
    if (this.pending.length > 0) await this.flush(true);
  }

  /** Commits pending documents with the current state; checkpoint-only commits are paced while catching up. */
  async flush(force: boolean, always = false): Promise<void> {
    if (!always && !this.dirty && this.pending.length === 0) return;
    const interval = this.options.idleCommitIntervalMs ?? 2000;
    if (!force && this.pending.length === 0 && this.now() - this.lastCommitAt < interval) return;
    const documents = this.pending;
    await this.commit(structuredClone(this.state), documents);
    this.published += documents.length;
    if (documents.length > 0 || always) {
      this.options.events.emit({
        type: 'published',
        account: this.options.account,
        stream: this.options.stream.name,
        origin: this.state.mode === 'backfill' ? 'BACKFILL' : 'LIVE',
        count: documents.length,
        skipped: this.skipped,
      });
    }
    this.pending = [];
    this.dirty = false;
    this.lastCommitAt = this.now();
  }
}

function parseModified(value: unknown, stream: StreamDefinition, record: Record<string, unknown>): number {
  const field = `${stream.name}.${stream.modifiedField}`;
  try {
    switch (stream.modifiedFormat) {
      case 'beijing_datetime':
        return parseBeijingTime(value, field);
      case 'epoch_ms': {
        const ms = Number(scalarText(value));
        if (!Number.isSafeInteger(ms)) throw new ValidationError(`${field}: not epoch milliseconds`, field);
        return ms;
      }
      case 'iso8601': {
        const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(ms)) throw new ValidationError(`${field}: not an ISO-8601 time`, field);
        return ms;
      }
    }
  } catch (error) {
    throw new ValidationError(`${errorMessage(error)} in ${preview(record)}`, field, error);
  }
}

function preview(record: Record<string, unknown>): string {
  const text = JSON.stringify(record);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
