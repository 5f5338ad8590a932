import type { BackfillRequest, SourceRuntime } from './runtime';
import type { SyncEvents } from './events';
import type { CycleResult } from './stream-sync';

/**
 * Several kit runtimes run as one service — one per group of accounts that share stream definitions (旺店通:
 * one per API edition, each with its own endpoints, windows and time formats). Same service name (checkpoint
 * topic), same events and metrics; lanes stay per account and stream. With one group it is that runtime.
 */
export class SourceRuntimeGroup {
  private prepared: Promise<void> | undefined;

  constructor(
    readonly byGroup: Map<string, SourceRuntime>,
    readonly events: SyncEvents,
  ) {}

  private get all(): SourceRuntime[] {
    return [...this.byGroup.values()];
  }

  get ready(): boolean {
    return this.all.every((runtime) => runtime.ready);
  }

  /**
   * Topics and raw schemas, one group after the other: groups publish to the same raw topics, and two first
   * registrations of one subject at once fail in the registry ("rule COMPATIBILITY already exists"). With one
   * group the kit's own prepare (inside start/runOnce/backfill) is enough.
   */
  private prepareGroups(): Promise<void> {
    if (this.all.length < 2) return Promise.resolve();
    this.prepared ??= (async () => {
      for (const runtime of this.all) await runtime.prepare();
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  /** Topics, schemas (one group after the other) — ahead of a measured or timed run. */
  async prepare(): Promise<void> {
    for (const runtime of this.all) await runtime.prepare();
  }

  /** Groups start one after the other (each start prepares its topics and schemas first). */
  async start(): Promise<void> {
    for (const runtime of this.all) await runtime.start();
  }

  async runOnce(): Promise<Map<string, CycleResult>> {
    await this.prepareGroups();
    return merge(await Promise.all(this.all.map((runtime) => runtime.runOnce())));
  }

  async backfill(request: BackfillRequest): Promise<Map<string, CycleResult>> {
    await this.prepareGroups();
    return merge(await Promise.all(this.all.map((runtime) => runtime.backfill(request))));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((runtime) => runtime.stop()));
  }
}

function merge(results: Map<string, CycleResult>[]): Map<string, CycleResult> {
  return new Map(results.flatMap((result) => [...result]));
}
