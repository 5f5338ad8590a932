import type { InputChunk, KafkaRecord, OutputMessage } from '@yecai/kafka';
import type { EntityName } from '@yecai/master-data';
import type { FinanceTarget } from './rules/rule-schema';
import type { ChunkResult, ParkRequest } from './chunk-mapper';
import type { FilteredOutcome } from './filter-catalog';
import type { RuleSource } from './rules/load-rules';

/**
 * Messages between the mapping service and its transform workers (transform-pool.ts ↔ transform-worker.ts). Message
 * keys and values travel packed in one transferred buffer per chunk: a Buffer from kafkajs is a view into a whole
 * fetch response, which structured cloning would copy once per message.
 */

/** What a worker needs to map like the service: the same rules, schemas, registry and master data. */
export interface WorkerInit {
  registryUrl: string;
  mongodbUri: string;
  dbName: string;
  rules: RuleSource[];
  schemaIds: [documentType: string, schemaId: number][];
  maxStalenessMs: number;
  sameCodeFallback: EntityName[];
  financeTarget: FinanceTarget;
}

export interface TransformRequest {
  type: 'transform';
  id: number;
  topic: string;
  partition: number;
  offsets: string[];
  /** Per message: key start, key end, value start, value end in `bytes` (start −1: no key / no value). */
  bounds: Int32Array;
  bytes: ArrayBuffer;
}

export interface InvalidateRequest {
  type: 'invalidate';
}

export type WorkerRequest = TransformRequest | InvalidateRequest;

export interface TransformReply {
  type: 'result';
  id: number;
  topics: string[];
  keys: string[];
  /** Output values, one after another in `bytes`, each ending at `valueEnds[i]`. */
  valueEnds: Int32Array;
  bytes: ArrayBuffer;
  parks: ParkRequest[];
  mapped: string[];
  filtered: FilteredOutcome[];
  /** The worker's master-data cache counters so far. */
  lookupHits: number;
  lookupMisses: number;
}

export interface FailedReply {
  type: 'error';
  id: number;
  message: string;
}

/** Sent once when the worker is set up (`message` when it could not be). */
export interface StartedReply {
  type: 'started';
  message?: string;
}

export type WorkerReply = TransformReply | FailedReply | StartedReply;

function pack(buffers: (Buffer | null)[], bounds: Int32Array, stride: number, slot: number, bytes: Uint8Array, at: number): number {
  let offset = at;
  for (let index = 0; index < buffers.length; index += 1) {
    const buffer = buffers[index];
    if (!buffer) {
      bounds[index * stride + slot] = -1;
      bounds[index * stride + slot + 1] = -1;
      continue;
    }
    bytes.set(buffer, offset);
    bounds[index * stride + slot] = offset;
    offset += buffer.length;
    bounds[index * stride + slot + 1] = offset;
  }
  return offset;
}

export function packChunk(id: number, chunk: InputChunk): TransformRequest {
  const { messages } = chunk;
  let size = 0;
  for (const message of messages) size += (message.key?.length ?? 0) + (message.value?.length ?? 0);
  const bytes = new Uint8Array(size);
  const bounds = new Int32Array(messages.length * 4);
  const afterKeys = pack(
    messages.map((message) => message.key ?? null),
    bounds,
    4,
    0,
    bytes,
    0,
  );
  pack(
    messages.map((message) => message.value ?? null),
    bounds,
    4,
    2,
    bytes,
    afterKeys,
  );
  return { type: 'transform', id, topic: chunk.topic, partition: chunk.partition, offsets: messages.map((message) => message.offset), bounds, bytes: bytes.buffer };
}

/** The chunk as the worker's ChunkMapper reads it (key, value and offset are all it uses). */
export function unpackChunk(request: TransformRequest): InputChunk {
  const { bounds, bytes, offsets } = request;
  const view = (start: number, end: number) => (start < 0 ? null : Buffer.from(bytes, start, end - start));
  const messages = offsets.map((offset, index) => {
    const at = index * 4;
    return { offset, key: view(bounds[at]!, bounds[at + 1]!), value: view(bounds[at + 2]!, bounds[at + 3]!), timestamp: '0', headers: {} } satisfies KafkaRecord;
  });
  return { topic: request.topic, partition: request.partition, messages };
}

export function packResult(id: number, result: ChunkResult, lookupHits: number, lookupMisses: number): TransformReply {
  const { outputs } = result;
  let size = 0;
  for (const output of outputs) size += output.value.length;
  const bytes = new Uint8Array(size);
  const valueEnds = new Int32Array(outputs.length);
  let offset = 0;
  for (let index = 0; index < outputs.length; index += 1) {
    bytes.set(outputs[index]!.value, offset);
    offset += outputs[index]!.value.length;
    valueEnds[index] = offset;
  }
  return {
    type: 'result',
    id,
    topics: outputs.map((output) => output.topic),
    keys: outputs.map((output) => output.key),
    valueEnds,
    bytes: bytes.buffer,
    parks: result.parks,
    mapped: result.mapped,
    filtered: result.filtered,
    lookupHits,
    lookupMisses,
  };
}

export function unpackResult(reply: TransformReply): ChunkResult {
  const outputs: OutputMessage[] = [];
  let start = 0;
  for (let index = 0; index < reply.topics.length; index += 1) {
    const end = reply.valueEnds[index]!;
    outputs.push({ topic: reply.topics[index]!, key: reply.keys[index]!, value: Buffer.from(reply.bytes, start, end - start) });
    start = end;
  }
  return { outputs, parks: reply.parks, mapped: reply.mapped, filtered: reply.filtered };
}
