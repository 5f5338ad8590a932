import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { Response as RegistryResponse } from 'mappersmith';
import { TimeoutMiddleware } from 'mappersmith/middleware/timeout';
import {
  Decimal as DecimalExport,
  YecaiError,
  avroBytesToDecimal,
  avroBytesToDecimalText,
  decimalToAvroBytes,
  errorMessage,
  withRetry,
} from '@yecai/common';

/**
 * The class itself, read once: through the re-exports of @yecai/common every use of an imported binding is a getter
 * call in the CommonJS that tsx and jest run, on the hot path of every decimal.
 */
const Decimal = DecimalExport;
type Decimal = DecimalExport;
import { valueSubject } from './topics';

const logicalCheck = (avro.types.LogicalType.prototype as unknown as { _check: (this: avro.Type, ...args: unknown[]) => boolean })._check;

/** The last Decimal encoded (Decimals are immutable): the union's check and the write that follows share it. */
const lastEncoded: { value: unknown; scale: number; precision: number; bytes: Buffer } = { value: undefined, scale: 0, precision: 0, bytes: Buffer.alloc(0) };

/**
 * Avro `bytes` with logicalType decimal, surfaced as decimal.js `Decimal` (never a float).
 * Values given as strings or numbers are accepted on write and parsed as decimals.
 */
class DecimalType extends avro.types.LogicalType {
  protected readonly scale: number;
  private readonly precision: number;

  constructor(schema: avro.Schema, opts?: avro.ForSchemaOptions) {
    super(schema, opts);
    const attrs = schema as { scale?: number; precision?: number };
    this.scale = attrs.scale ?? 0;
    this.precision = attrs.precision ?? 38;
  }

  override _fromValue(value: Buffer): Decimal | string {
    return avroBytesToDecimal(value, this.scale);
  }

  /**
   * avsc's test of a value against this type, also how an unwrapped union (`["null", decimal]`) picks its branch
   * before every write: null is answered without building a Decimal from "null" and catching the error.
   */
  _check(value: unknown, flags: unknown, hook?: (value: unknown, type: avro.Type) => void, path?: unknown): boolean {
    if (value === null || value === undefined) {
      hook?.(value, this);
      return false;
    }
    return logicalCheck.call(this, value, flags, hook, path);
  }

  /** The bytes of the value the union just checked are reused by the write that follows. */
  override _toValue(value: unknown): Buffer {
    if (value === lastEncoded.value && this.scale === lastEncoded.scale && this.precision === lastEncoded.precision) return lastEncoded.bytes;
    const bytes = this.encodeDecimal(value);
    if (value instanceof Decimal) Object.assign(lastEncoded, { value, scale: this.scale, precision: this.precision, bytes });
    return bytes;
  }

  private encodeDecimal(value: unknown): Buffer {
    const decimal = value instanceof Decimal ? value : new Decimal(String(value));
    if (decimal.precision(true) - decimal.decimalPlaces() + this.scale > this.precision) {
      throw new Error(`decimal ${decimal.toString()} exceeds precision ${this.precision} at scale ${this.scale}`);
    }
    return decimalToAvroBytes(decimal, this.scale);
  }

  override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    if (avro.Type.isType(type, 'logical:decimal')) {
      const other = type as unknown as DecimalType;
      if (other.scale === this.scale && other.precision <= this.precision) return (value) => value;
    }
    return undefined;
  }

  override _export(schema: avro.Schema): void {
    const attrs = schema as { scale?: number; precision?: number };
    attrs.scale = this.scale;
    attrs.precision = this.precision;
  }
}

/** The same decimal read as its exact decimal text (a plain value: typed contracts carry decimals as strings). */
class DecimalTextType extends DecimalType {
  override _fromValue(value: Buffer): string {
    return avroBytesToDecimalText(value, this.scale);
  }
}

export const avroLogicalTypes: Record<string, new (schema: avro.Schema, opts?: avro.ForSchemaOptions) => avro.types.LogicalType> = {
  decimal: DecimalType,
};

/** Parses an Avro schema with the project's logical types (decimal → Decimal). */
export function parseAvroSchema(schema: avro.Schema): avro.Type {
  return avro.Type.forSchema(schema, { logicalTypes: avroLogicalTypes });
}

/**
 * Parses an Avro schema that reads plain values: decimals as exact decimal text, longs (timestamp-millis too) as
 * numbers. Writing accepts the same values as `parseAvroSchema` (Decimal, decimal text, number).
 */
export function parseAvroSchemaAsPlain(schema: avro.Schema): avro.Type {
  return avro.Type.forSchema(schema, { logicalTypes: { decimal: DecimalTextType } });
}

/** Confluent wire format: magic byte 0, the schema id (4 bytes, big-endian), then the Avro binary. */
export function readWireFormat(message: Buffer): { schemaId: number; payload: Buffer } {
  if (message.length < 5 || message[0] !== 0) {
    const detail = `magic byte ${String(message[0])}, ${message.length} bytes`;
    throw new YecaiError(`not a schema-registry message (${detail})`, {
      code: 'AVRO_WIRE_FORMAT',
      level: 1,
      retriable: false,
      userMessage: `消息不是 schema registry 格式 (not a schema-registry message: ${detail})`,
    });
  }
  return { schemaId: message.readInt32BE(1), payload: message.subarray(5) };
}

/**
 * How long one schema-registry request may go unanswered. A registry that stops answering must not hang a service
 * (or a test) forever: the request is abandoned and retried — registration, config and compatibility calls are
 * idempotent. A clean-clone CI run once waited 120 s on one registry answer.
 */
const DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS = 10_000;
const REGISTRY_ATTEMPTS = 4;

/** Worth another attempt: a 5xx, or no HTTP answer at all (timeout, refused or reset connection). */
function registryAnswerRetriable(response: RegistryResponse): boolean {
  return response.responseStatus >= 500 || response.errors.length > 0;
}

export type CompatibilityLevel = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

/**
 * Avro serialisation through a Confluent-API schema registry (Confluent wire format: magic byte + schema id).
 * Subjects follow TopicNameStrategy: `<topic>-value`. The project's one registry client: every request has a
 * deadline and is retried on 5xx and transport failures.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;
  private readonly registryUrl: string;
  private readonly requestTimeoutMs: number;
  /** Schema id → the writer's schema (ids are immutable in a registry). */
  private readonly writerSchemas = new Map<number, Promise<avro.Schema>>();

  constructor(registryUrl: string, options: { requestTimeoutMs?: number } = {}) {
    this.registryUrl = registryUrl.replace(/\/$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REGISTRY_REQUEST_TIMEOUT_MS;
    this.registry = new SchemaRegistry(
      {
        host: registryUrl,
        retry: { retries: REGISTRY_ATTEMPTS - 1, validateRetry: registryAnswerRetriable },
        middlewares: [TimeoutMiddleware(this.requestTimeoutMs)],
      },
      { [SchemaType.AVRO]: { logicalTypes: avroLogicalTypes } },
    );
  }

  /** Registers `schema` under `subject` (the registry enforces its compatibility rule) and returns the schema id. */
  async register(subject: string, schema: object): Promise<number> {
    const { id } = await this.registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject },
    );
    return id;
  }

  registerForTopic(topic: string, schema: object): Promise<number> {
    return this.register(valueSubject(topic), schema);
  }

  /** Sets the subject's compatibility rule (the registry then refuses an incompatible new version). */
  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  }

  /** The subject's own compatibility rule, or undefined when it has none (the global rule applies). */
  async subjectCompatibility(subject: string): Promise<string | undefined> {
    const answer = (await this.request('GET', `/config/${encodeURIComponent(subject)}`)) as { compatibilityLevel?: string } | null;
    return answer?.compatibilityLevel;
  }

  /** Whether the registry finds `schema` compatible with the latest version registered under `subject`. */
  async isCompatible(subject: string, schema: object): Promise<boolean> {
    const answer = (await this.request('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, {
      schemaType: 'AVRO',
      schema: JSON.stringify(schema),
    })) as { is_compatible?: boolean };
    return answer.is_compatible === true;
  }

  encode(schemaId: number, value: unknown): Promise<Buffer> {
    return this.registry.encode(schemaId, value);
  }

  decode<T = unknown>(buffer: Buffer): Promise<T> {
    return this.registry.decode(buffer) as Promise<T>;
  }

  /** The schema a message was written with, by its registry id (fetched once per id). */
  writerSchema(schemaId: number): Promise<avro.Schema> {
    let schema = this.writerSchemas.get(schemaId);
    if (!schema) {
      schema = this.request('GET', `/schemas/ids/${schemaId}`).then((answer) => JSON.parse((answer as { schema: string }).schema) as avro.Schema);
      schema.catch(() => this.writerSchemas.delete(schemaId));
      this.writerSchemas.set(schemaId, schema);
    }
    return schema;
  }

  /** Calls the library does not offer (subject config, compatibility), with the same deadline and retries. */
  private request(method: string, path: string, body?: unknown): Promise<unknown> {
    return withRetry(
      async () => {
        let response: Response;
        try {
          response = await fetch(`${this.registryUrl}${path}`, {
            method,
            headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(this.requestTimeoutMs),
          });
        } catch (error) {
          throw new YecaiError(`schema registry ${method} ${path}: no answer (${errorMessage(error)})`, {
            code: 'SCHEMA_REGISTRY_UNREACHABLE',
            level: 3,
            retriable: true,
            cause: error,
          });
        }
        const text = await response.text();
        if (!response.ok) {
          throw new YecaiError(`schema registry ${method} ${path}: HTTP ${response.status} ${text}`, {
            code: 'SCHEMA_REGISTRY_HTTP',
            level: 3,
            retriable: response.status >= 500,
          });
        }
        return text ? JSON.parse(text) : null;
      },
      { maxAttempts: REGISTRY_ATTEMPTS },
    );
  }
}
