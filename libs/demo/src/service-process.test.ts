import { metricValue } from './service-process';

describe('metricValue', () => {
  const text = [
    '# HELP yecai_sink_documents_total Documents by outcome',
    '# TYPE yecai_sink_documents_total counter',
    'yecai_sink_documents_total{form="SAL_OUTSTOCK",outcome="posted"} 12',
    'yecai_sink_documents_total{form="SAL_RETURNSTOCK",outcome="posted"} 3',
    'yecai_sink_documents_total{form="SAL_OUTSTOCK",outcome="parked",level="1"} 2',
    'yecai_sink_documents_totally_different 99',
  ].join('\n');

  it('sums the samples whose labels match', () => {
    expect(metricValue(text, 'yecai_sink_documents_total', { outcome: 'posted' })).toBe(15);
    expect(metricValue(text, 'yecai_sink_documents_total', { form: 'SAL_OUTSTOCK' })).toBe(14);
  });

  it('does not confuse a metric with another whose name it prefixes', () => {
    expect(metricValue(text, 'yecai_sink_documents_total')).toBe(17);
  });
});
