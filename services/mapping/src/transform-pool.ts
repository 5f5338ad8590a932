import { Worker } from 'node:worker_threads';
import type { Logger } from '@yecai/common';
import type { InputChunk } from '@yecai/kafka';
import type { ChunkResult } from './chunk-mapper';
import { packChunk, unpackResult, type WorkerInit, type WorkerReply } from './transform-protocol';

interface Pending {
  resolve: (result: ChunkResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Settles when the worker has set up (rules compiled, schemas fetched, MongoDB connected) or failed to. */
  started: Promise<void>;
  pending: Map<number, Pending>;
  lookupHits: number;
  lookupMisses: number;
}

/**
 * The worker's module, loaded through tsx's CommonJS hooks: the service runs from TypeScript sources, under tsx or
 * under jest's transform, neither of which a worker thread inherits.
 */
const BOOTSTRAP = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(require.resolve('./transform-worker'))});`;

/**
 * Transform workers of one mapping replica (node:worker_threads), so that a replica maps on more than one core while
 * its own thread runs Kafka. Each chunk goes to the worker with the fewest chunks in hand; the processor awaits a
 * chunk before it sends the next of the same partition, so order per partition and the transaction around each chunk
 * are unchanged. A worker that dies fails its chunks (their transactions abort and are retried) and is replaced.
 */
export class TransformPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closing = false;

  constructor(
    size: number,
    private readonly init: WorkerInit,
    private readonly logger: Logger,
  ) {
    for (let index = 0; index < size; index += 1) this.slots.push(this.spawn());
  }

  /** Waits until every worker is set up; rejects with the reason when one could not be. */
  async started(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.started));
  }

  get lookupHits(): number {
    return this.slots.reduce((sum, slot) => sum + slot.lookupHits, 0);
  }

  get lookupMisses(): number {
    return this.slots.reduce((sum, slot) => sum + slot.lookupMisses, 0);
  }

  map(chunk: InputChunk): Promise<ChunkResult> {
    if (this.closing) return Promise.reject(new Error('transform workers are stopping'));
    let slot = this.slots[0]!;
    for (const candidate of this.slots) if (candidate.pending.size < slot.pending.size) slot = candidate;
    const request = packChunk((this.nextId += 1), chunk);
    return new Promise<ChunkResult>((resolve, reject) => {
      slot.pending.set(request.id, { resolve, reject });
      slot.worker.postMessage(request, [request.bytes]);
    });
  }

  /** Drops every worker's master-data cache (after an admin change in this process). */
  invalidate(): void {
    for (const slot of this.slots) slot.worker.postMessage({ type: 'invalidate' });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    // The environment as this module sees it (topic prefix included), also where it is not the process's (jest).
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: this.init, env: { ...process.env } });
    let settleStart: (error?: Error) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      settleStart = (error) => (error ? reject(error) : resolve());
    });
    started.catch(() => undefined);
    const slot: Slot = { worker, started, pending: new Map(), lookupHits: 0, lookupMisses: 0 };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'started') {
        settleStart(reply.message === undefined ? undefined : new Error(`transform worker could not start: ${reply.message}`));
        return;
      }
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      slot.pending.delete(reply.id);
      if (reply.type === 'error') {
        pending.reject(new Error(`transform worker: ${reply.message}`));
        return;
      }
      slot.lookupHits = reply.lookupHits;
      slot.lookupMisses = reply.lookupMisses;
      pending.resolve(unpackResult(reply));
    });
    const replace = (error: Error) => {
      settleStart(error);
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
      if (this.closing) return;
      this.logger.error({ err: error }, 'transform worker died; starting another');
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.spawn();
    };
    worker.on('error', (error) => replace(error));
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) replace(new Error(`transform worker exited with code ${code}`));
    });
    return slot;
  }
}
