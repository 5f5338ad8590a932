import { documentKey, topics, type InputChunk, type KafkaRecord, type OutputMessage } from '@yecai/kafka';
import type { ParkInput, SourcePosition } from '@yecai/parking';
import type { RawDocument } from '@yecai/contracts';
import type { WireCodec } from './wire-codec';
import type { MappingEngine, MappingOutcome, RawInput } from './rules/engine';
import type { FilteredOutcome } from './filter-catalog';

/** A document to park, as the service's park() takes it (the stage is the service's). */
export type ParkRequest = Omit<ParkInput, 'stage'>;

/** What one chunk gave: canonical messages in input order, documents to park, documents mapped or filtered. */
export interface ChunkResult {
  outputs: OutputMessage[];
  parks: ParkRequest[];
  mapped: string[];
  /** Each filtered document: flow, filter name and the version filtered (the service records them). */
  filtered: FilteredOutcome[];
}

type Mapped = Extract<MappingOutcome, { kind: 'mapped' }>;

/**
 * The pure part of the mapping service's transform, the same in the service's thread and in a transform worker
 * (transform-worker.ts): Avro decode, the rules (through the engine and its master-data cache), Avro encode. It
 * writes nothing: parking and metrics are the caller's. Documents whose master data is cached are mapped and encoded
 * synchronously, without a promise each.
 */
export class ChunkMapper {
  private readonly canonicalTopics = new Map<string, string>();

  constructor(
    private readonly engine: MappingEngine,
    private readonly codec: WireCodec,
    private readonly schemaIds: ReadonlyMap<string, number>,
  ) {}

  map(chunk: InputChunk): ChunkResult | Promise<ChunkResult> {
    const result: ChunkResult = { outputs: [], parks: [], mapped: [], filtered: [] };
    const perMessage: (OutputMessage[] | Promise<OutputMessage[]>)[] = [];
    let waiting = false;
    for (const message of chunk.messages) {
      const outputs = this.handleMessage(chunk.topic, chunk.partition, message, result);
      if (outputs instanceof Promise) waiting = true;
      perMessage.push(outputs);
    }
    if (!waiting) {
      for (const outputs of perMessage as OutputMessage[][]) result.outputs.push(...outputs);
      return result;
    }
    return Promise.all(perMessage).then((all) => {
      for (const outputs of all) result.outputs.push(...outputs);
      return result;
    });
  }

  private handleMessage(topic: string, partition: number, message: KafkaRecord, result: ChunkResult): OutputMessage[] | Promise<OutputMessage[]> {
    const position = { topic, partition, offset: message.offset };
    let envelope: RawDocument | Promise<RawDocument>;
    try {
      if (!message.value) throw new Error('message has no value');
      envelope = this.codec.decode<RawDocument>(message.value);
    } catch (error) {
      return malformed(message, position, error, result);
    }
    if (envelope instanceof Promise) {
      return envelope.then(
        (decoded) => this.mapEnvelope(decoded, message, position, result),
        (error: unknown) => malformed(message, position, error, result),
      );
    }
    return this.mapEnvelope(envelope, message, position, result);
  }

  private mapEnvelope(envelope: RawDocument, message: KafkaRecord, position: SourcePosition, result: ChunkResult): OutputMessage[] | Promise<OutputMessage[]> {
    const raw: RawInput = {
      sourceSystem: envelope.sourceSystem,
      account: envelope.account,
      documentType: envelope.documentType,
      sourceId: envelope.sourceId,
      sourceModifiedAt: Number(envelope.sourceModifiedAt),
      contentHash: envelope.contentHash,
      payload: envelope.payload,
      rawTopic: position.topic,
      rawPartition: position.partition,
      rawOffset: Number(message.offset),
    };
    const outcomes = this.engine.mapDocument(raw);
    if (outcomes instanceof Promise) return outcomes.then((settled) => this.emitAll(settled, raw, envelope, position, result));
    return this.emitAll(outcomes, raw, envelope, position, result);
  }

  /** The document's canonical messages: synchronous unless a schema must still be fetched from the registry. */
  private emitAll(outcomes: MappingOutcome[], raw: RawInput, envelope: RawDocument, position: SourcePosition, result: ChunkResult): OutputMessage[] | Promise<OutputMessage[]> {
    const outputs: OutputMessage[] = [];
    for (let index = 0; index < outcomes.length; index += 1) {
      const outcome = outcomes[index]!;
      if (outcome.kind === 'filtered') {
        const { payload: _payload, rawTopic: _topic, rawPartition: _partition, rawOffset: _offset, ...version } = raw;
        result.filtered.push({ flow: outcome.flow, filter: outcome.filter, key: documentKey(raw), ...version, source: position });
        continue;
      }
      if (outcome.kind === 'parked') {
        const { kind: _kind, ...parked } = outcome;
        result.parks.push({ ...parked, key: documentKey(raw), raw: envelope as unknown as Record<string, unknown>, source: position });
        continue;
      }
      const encoded = this.encode(outcome, raw, envelope, position, result);
      if (encoded instanceof Promise) {
        return this.emitRest(encoded, outcomes, index + 1, outputs, raw, envelope, position, result);
      }
      if (encoded) outputs.push(encoded);
    }
    return outputs;
  }

  private async emitRest(
    pending: Promise<OutputMessage | undefined>,
    outcomes: MappingOutcome[],
    from: number,
    outputs: OutputMessage[],
    raw: RawInput,
    envelope: RawDocument,
    position: SourcePosition,
    result: ChunkResult,
  ): Promise<OutputMessage[]> {
    const first = await pending;
    if (first) outputs.push(first);
    const rest = await this.emitAll(outcomes.slice(from), raw, envelope, position, result);
    outputs.push(...rest);
    return outputs;
  }

  /** The canonical message of a mapped outcome, or undefined when it does not fit its schema (then it is parked). */
  private encode(outcome: Mapped, raw: RawInput, envelope: RawDocument, position: SourcePosition, result: ChunkResult): OutputMessage | undefined | Promise<OutputMessage | undefined> {
    const schemaId = this.schemaIds.get(outcome.targetDocumentType);
    if (schemaId === undefined) throw new Error(`no registered schema for ${outcome.targetDocumentType}`);
    let value: Buffer | Promise<Buffer>;
    try {
      value = this.codec.encode(schemaId, outcome.value);
    } catch (error) {
      result.parks.push(unencodable(outcome, raw, envelope, position, error));
      return undefined;
    }
    if (value instanceof Promise) {
      return value.then(
        (encoded) => this.message(outcome, encoded, result),
        (error: unknown) => {
          result.parks.push(unencodable(outcome, raw, envelope, position, error));
          return undefined;
        },
      );
    }
    return this.message(outcome, value, result);
  }

  private message(outcome: Mapped, value: Buffer, result: ChunkResult): OutputMessage {
    result.mapped.push(outcome.flow);
    let topic = this.canonicalTopics.get(outcome.targetDocumentType);
    if (!topic) {
      topic = topics.canonical(outcome.targetDocumentType);
      this.canonicalTopics.set(outcome.targetDocumentType, topic);
    }
    return { topic, key: outcome.key, value };
  }
}

function malformed(message: KafkaRecord, position: SourcePosition, error: unknown, result: ChunkResult): OutputMessage[] {
  const detail = error instanceof Error ? error.message : String(error);
  result.parks.push({
    flow: null,
    key: message.key?.toString() ?? null,
    code: 'MALFORMED_ENVELOPE',
    level: 1,
    reasonZh: `原始消息无法按 RawDocument 解码：${detail} (raw message is not a decodable RawDocument: ${detail})`,
    reasonEn: `raw message is not a decodable RawDocument: ${detail}`,
    field: 'value',
    raw: null,
    rawBytesBase64: message.value?.toString('base64'),
    source: position,
  });
  return [];
}

/** The engine checks types and scales first, so this is a rule/schema mismatch a person must look at. */
function unencodable(outcome: Mapped, raw: RawInput, envelope: RawDocument, position: SourcePosition, error: unknown): ParkRequest {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    flow: outcome.flow,
    key: documentKey(raw),
    code: 'ENCODING_FAILED',
    level: 1,
    reasonZh: `规则 ${outcome.flow} 的结果不符合 ${outcome.targetDocumentType} 模式：${detail} (rule output does not fit the canonical schema: ${detail})`,
    reasonEn: `rule ${outcome.flow} output does not fit the ${outcome.targetDocumentType} schema: ${detail}`,
    raw: envelope as unknown as Record<string, unknown>,
    source: position,
  };
}
