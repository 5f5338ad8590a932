import { combineRuns, medianRow } from './results';

describe('benchmark figures from several runs', () => {
  it('takes the median of every number in a figure, keeping its wording and each run beside it', () => {
    const row = medianRow([
      { stage: 'pipeline', measure: 'latency', value: 'p50 2.2 s, p99 9.4 s' },
      { stage: 'pipeline', measure: 'latency', value: 'p50 4.2 s, p99 5.5 s' },
      { stage: 'pipeline', measure: 'latency', value: 'p50 3.1 s, p99 7.0 s' },
    ]);
    expect(row.value).toBe('median p50 3.1 s, p99 7.0 s');
    expect(row.note).toBe('runs: p50 2.2 s, p99 9.4 s · p50 4.2 s, p99 5.5 s · p50 3.1 s, p99 7.0 s');
  });

  it('keeps thousands separators and averages the middle pair of an even count', () => {
    const row = medianRow([
      { stage: 'sink', measure: 'throughput', value: '3,102 docs/s' },
      { stage: 'sink', measure: 'throughput', value: '3,877 docs/s' },
    ]);
    expect(row.value).toBe('median 3,490 docs/s');
  });

  it('lists the runs when their values do not read alike', () => {
    const row = medianRow([
      { stage: 'sink', measure: 'rate', value: '100 %' },
      { stage: 'sink', measure: 'rate', value: 'failed' },
    ]);
    expect(row.value).toBe('100 % · failed');
  });

  it('combines measure by measure in first-seen order', () => {
    const rows = combineRuns([
      [
        { stage: 'kafka', measure: 'produce', value: '10 rec/s' },
        { stage: 'kafka', measure: 'consume', value: '30 rec/s' },
      ],
      [
        { stage: 'kafka', measure: 'produce', value: '20 rec/s' },
        { stage: 'kafka', measure: 'consume', value: '10 rec/s' },
      ],
      [
        { stage: 'kafka', measure: 'produce', value: '40 rec/s' },
        { stage: 'kafka', measure: 'consume', value: '20 rec/s' },
      ],
    ]);
    expect(rows.map((row) => [row.measure, row.value])).toEqual([
      ['produce', 'median 20 rec/s'],
      ['consume', 'median 20 rec/s'],
    ]);
  });
});

describe('negative figures', () => {
  it('reads a minus sign as part of the number', () => {
    const row = medianRow([
      { stage: 'kingdee', measure: 'overhead', value: '2.195 ms' },
      { stage: 'kingdee', measure: 'overhead', value: '-0.774 ms' },
      { stage: 'kingdee', measure: 'overhead', value: '5.248 ms' },
    ]);
    expect(row.value).toBe('median 2.195 ms');
  });
});
