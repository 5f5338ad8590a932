import { errorFromEnvelope } from './errors';

describe('YonSuite answers as exception levels', () => {
  it.each([
    ['999', '保存失败：客户[NO-CUST]不存在', 1, 'data', 'cust'],
    ['999', '保存失败：现存量不足，请检查存量是否充足', 2, 'business', undefined],
    ['1002', '数据不存在', 1, 'data', undefined],
    // A receipt's source receivable: not audited yet → the ladder (its audit is in flight); the rest is data.
    ['999', '保存失败：第1行源单应收单[AR-1]未审核，不能收款核销', 2, 'business', 'srcBillId'],
    ['999', '保存失败：第1行源单应收单[123]不存在', 1, 'data', 'srcBillId'],
    ['999', '保存失败：第1行源单应收单[AR-1]币种[USD]与收款单币种[CNY]不一致，不能核销', 1, 'data', 'srcBillId'],
    ['999', '保存失败：第1行本次收款金额[50.00]超过源单应收单[AR-1]未核销余额[39.98]', 1, 'data', 'srcBillId'],
    // The voucher API refuses with code 404 in HTTP 200; an unknown 科目 names the account field.
    ['404', '凭证保存不成功,第1行分录科目[9999]不存在！', 1, 'data', 'accsubjectCode'],
    ['310046', 'API调用频率超限', 3, 'throttled', undefined],
    ['310037', 'API未被授权', 3, 'auth', undefined],
    ['202', '处理中', 3, 'in_progress', undefined],
  ])('code %s "%s" → level %i (%s), field %s', (code, message, level, kind, field) => {
    const error = errorFromEnvelope(code, message, '/yonbip/scm/salesout/single/save', true);
    expect([error.level, error.kind, error.field]).toEqual([level, kind, field]);
    expect(error.retriable).toBe(kind === 'throttled' || kind === 'in_progress');
  });

  it('a gateway timeout (310504) on a write is indeterminate, on a read only unavailable', () => {
    expect(errorFromEnvelope('310504', '超时', '/p', true).kind).toBe('indeterminate');
    expect(errorFromEnvelope('310504', '超时', '/p', false).kind).toBe('unavailable');
  });
});
