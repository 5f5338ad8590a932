import { z } from 'zod';
import { parseWith } from '@yecai/common';
import { topicPrefix } from '@yecai/kafka';

/**
 * A stream's sync state, stored as JSON in the compacted checkpoint topic (key = checkpointKey) and written in
 * the same Kafka transaction as the raw documents it accounts for.
 */
export const streamCheckpointSchema = z.object({
  version: z.literal(1),
  account: z.string(),
  stream: z.string(),
  mode: z.enum(['live', 'backfill']),
  /** modified_time: epoch ms (as text) up to which every window was read; monotonic_token: the last token. */
  cursor: z.string().regex(/^\d+$/),
  /** Backfill only: the requested range and whether it is done. */
  range: z.object({ fromMs: z.number().int(), toMs: z.number().int() }).optional(),
  completed: z.boolean().default(false),
  /**
   * Versions already published whose modified time lies in the re-read zone (cursor − overlap onwards, or the
   * boundary token): id → "<modifiedMs>:<first 16 hex of the content sha256>". Re-reading a zone therefore
   * never publishes an identical version twice, and a changed version always differs.
   */
  seen: z.record(z.string(), z.string()),
  updatedAt: z.number().int(),
});

export type StreamCheckpoint = z.output<typeof streamCheckpointSchema>;

export function checkpointKey(account: string, stream: string, mode: 'live' | 'backfill'): string {
  return mode === 'live' ? `${account}/${stream}` : `${account}/${stream}/backfill`;
}

/**
 * The transactional id of a lane's producer: one per account, stream and mode, so that a restarted lane fences
 * (and aborts the open transaction of) exactly its crashed predecessor.
 */
export function laneTransactionalId(service: string, account: string, stream: string, mode: 'live' | 'backfill'): string {
  return `${topicPrefix()}${service}.${account}.${stream}${mode === 'backfill' ? '.backfill' : ''}`;
}

export function encodeCheckpoint(checkpoint: StreamCheckpoint): Buffer {
  return Buffer.from(JSON.stringify(checkpoint));
}

export function decodeCheckpoint(value: Buffer, key: string): StreamCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new Error(`checkpoint ${key}: not JSON (${String(error)})`, { cause: error });
  }
  return parseWith(streamCheckpointSchema, json, `checkpoint ${key}`);
}

export function versionMark(modifiedMs: number, contentHash: string): string {
  return `${modifiedMs}:${contentHash.slice(0, 16)}`;
}

export function markModifiedMs(mark: string): number {
  return Number(mark.slice(0, mark.indexOf(':')));
}
