import { AvroSerde, topics } from '@yecai/kafka';
import { testEndpoints, uniqueTopicPrefix } from '@yecai/test-harness';
import { decodeCanonical, loadCanonicalSchema } from './index';
import { sampleSalesOutstock } from './test-fixtures';

describe('decodeCanonical: a canonical message as the typed value of the current contract', () => {
  let serde: AvroSerde;
  beforeAll(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('decode');
    serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
  });

  it('gives decimals as exact text and timestamps as numbers — the same value the JSON round trip of the Decimal decode gave', async () => {
    const { schema, subject } = loadCanonicalSchema('sales_outstock');
    const message = await serde.encode(await serde.register(subject, schema), sampleSalesOutstock());

    const event = await decodeCanonical(serde, 'sales_outstock', message);

    expect(event).toEqual(JSON.parse(JSON.stringify(await serde.decode(message))));
    const line = event.lines[0]!;
    expect([line.quantity, line.taxInclusivePrice, line.amount, line.price]).toEqual(['2', '59.5', '119', null]);
    expect(event.source.sourceModifiedAt).toBe(Date.parse('2024-01-01T02:05:00Z'));
    expect(event.settleOrg).toBeNull();
  });

  it('reads a message written with an older version (fields missing) or a newer one (extra fields) as the current shape', async () => {
    const current = loadCanonicalSchema('sales_outstock').schema;
    const fields = current.fields as { name: string }[];
    const older = {
      ...current,
      fields: fields.filter((field) => field.name !== 'remark' && field.name !== 'onlineOrderNumber'),
    };
    const newer = { ...current, fields: [...fields, { name: 'platform', type: 'string' }] };
    const sample = sampleSalesOutstock();
    const { remark: _remark, onlineOrderNumber: _online, ...olderEvent } = sample;

    const oldMessage = await serde.encode(
      await serde.register(`${topics.canonical('older')}-value`, older),
      olderEvent,
    );
    const newMessage = await serde.encode(await serde.register(`${topics.canonical('newer')}-value`, newer), {
      ...sample,
      platform: 'tmall',
    });

    const fromOlder = await decodeCanonical(serde, 'sales_outstock', oldMessage);
    expect([fromOlder.remark, fromOlder.onlineOrderNumber, fromOlder.lines[0]!.amount]).toEqual([null, null, '119']);
    const fromNewer = await decodeCanonical(serde, 'sales_outstock', newMessage);
    expect(fromNewer).not.toHaveProperty('platform');
    expect(fromNewer.remark).toBe('聚水潭T1');
  });

  it('refuses bytes that are not a schema-registry message, and an unknown document type, saying which', async () => {
    await expect(decodeCanonical(serde, 'sales_outstock', Buffer.from('{"billNumber":"1"}'))).rejects.toThrow(
      /not a schema-registry message/,
    );
    const { schema, subject } = loadCanonicalSchema('sales_outstock');
    const message = await serde.encode(await serde.register(subject, schema), sampleSalesOutstock());
    await expect(decodeCanonical(serde, 'no_such_type' as 'sales_outstock', message)).rejects.toThrow(/no_such_type/);
  });
});
