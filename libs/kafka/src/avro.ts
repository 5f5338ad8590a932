import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { Decimal as DecimalExport, avroBytesToDecimal, decimalToAvroBytes } from '@yecai/common';

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
  private readonly scale: number;
  private readonly precision: number;

  constructor(schema: avro.Schema, opts?: avro.ForSchemaOptions) {
    super(schema, opts);
    const attrs = schema as { scale?: number; precision?: number };
    this.scale = attrs.scale ?? 0;
    this.precision = attrs.precision ?? 38;
  }

  override _fromValue(value: Buffer): Decimal {
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

export const avroLogicalTypes: Record<string, new (schema: avro.Schema, opts?: avro.ForSchemaOptions) => avro.types.LogicalType> = {
  decimal: DecimalType,
};

/** Parses an Avro schema with the project's logical types (decimal → Decimal). */
export function parseAvroSchema(schema: avro.Schema): avro.Type {
  return avro.Type.forSchema(schema, { logicalTypes: avroLogicalTypes });
}

/**
 * Avro serialisation through a Confluent-API schema registry (Confluent wire format: magic byte + schema id).
 * Subjects follow TopicNameStrategy: `<topic>-value`.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;

  constructor(registryUrl: string) {
    this.registry = new SchemaRegistry(
      { host: registryUrl },
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

  encode(schemaId: number, value: unknown): Promise<Buffer> {
    return this.registry.encode(schemaId, value);
  }

  decode<T = unknown>(buffer: Buffer): Promise<T> {
    return this.registry.decode(buffer) as Promise<T>;
  }
}
