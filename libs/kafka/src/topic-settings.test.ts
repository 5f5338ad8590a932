import { TOPIC_SETTINGS, topicSettings, topics, withTopicSettings } from './index';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('topic settings', () => {
  const previousPrefix = process.env.YECAI_TOPIC_PREFIX;
  beforeEach(() => {
    process.env.YECAI_TOPIC_PREFIX = 'acme.';
  });
  afterAll(() => {
    if (previousPrefix === undefined) delete process.env.YECAI_TOPIC_PREFIX;
    else process.env.YECAI_TOPIC_PREFIX = previousPrefix;
  });

  it('gives a raw topic the replay window: 6 partitions, delete, 30 days', () => {
    expect(withTopicSettings({ topic: topics.raw('jushuitan', 'sales_outstock') })).toEqual({
      topic: 'acme.raw.jushuitan.sales_outstock',
      numPartitions: 6,
      compacted: false,
      retentionMs: 30 * DAY_MS,
      configEntries: {},
    });
  });

  it('keeps a checkpoint forever in one compacted partition with room for a large dedup set', () => {
    expect(withTopicSettings({ topic: topics.checkpoint('source_jushuitan') })).toEqual({
      topic: 'acme.checkpoint.source_jushuitan',
      numPartitions: 1,
      compacted: true,
      configEntries: { 'retention.ms': '-1', 'max.message.bytes': String(8 * 1024 * 1024) },
    });
  });

  it('lets a spec override what it names (tests ask for fewer partitions) and keeps the rest', () => {
    expect(
      withTopicSettings({
        topic: topics.canonical('sales_outstock'),
        numPartitions: 3,
        configEntries: { 'segment.ms': '60000' },
      }),
    ).toEqual({
      topic: 'acme.canonical.sales_outstock',
      numPartitions: 3,
      compacted: false,
      retentionMs: 30 * DAY_MS,
      configEntries: { 'segment.ms': '60000' },
    });
  });

  it('leaves names outside the convention as the spec says', () => {
    expect(topicSettings('acme.smoke')).toBeUndefined();
    expect(topicSettings('other.raw.jushuitan.sales_outstock')).toBeUndefined(); // another environment's prefix
    expect(topicSettings('acme.raw.jushuitan')).toBeUndefined(); // a part short
    expect(withTopicSettings({ topic: 'acme.smoke', numPartitions: 1 })).toEqual({
      topic: 'acme.smoke',
      numPartitions: 1,
    });
  });

  it('recognises every kind by the name its builder spells', () => {
    for (const settings of TOPIC_SETTINGS) {
      const parts = settings.pattern
        .split('.')
        .slice(1)
        .map((_, index) => `part${index}`);
      expect(topicSettings(settings.build(parts))).toBe(settings);
    }
  });
});
