import { parseSinkConfig } from './config';

const kingdee = { serverUrl: 'http://kd.example/k3cloud/', acctId: 'a', userName: 'u', auth: { mode: 'signature', appId: 'x', appSecret: 'env:X' } };

describe('pushDown config (下推)', () => {
  it('accepts the rule of the flow’s own form and defaults to auditing the pushed bill', () => {
    const config = parseSinkConfig({ kingdee, flows: [{ documentType: 'sales_outstock', pushDown: { ruleId: 'AR_OutStockToReceivableMap' } }] });
    expect(config.flows[0]!.pushDown).toEqual({ ruleId: 'AR_OutStockToReceivableMap', audit: true });
  });

  it('refuses an unknown rule, a rule of another form and a flow that does not audit, naming the field', () => {
    expect(() => parseSinkConfig({ kingdee, flows: [{ documentType: 'sales_outstock', pushDown: { ruleId: 'NoSuchRule' } }] })).toThrow(/flows\.0\.pushDown\.ruleId.*unknown conversion rule NoSuchRule/s);
    expect(() => parseSinkConfig({ kingdee, flows: [{ documentType: 'sales_return', pushDown: { ruleId: 'AR_OutStockToReceivableMap' } }] })).toThrow(/flows\.0\.pushDown\.ruleId.*pushes from SAL_OUTSTOCK/s);
    expect(() => parseSinkConfig({ kingdee, flows: [{ documentType: 'purchase_instock', audit: false, pushDown: { ruleId: 'AP_InStockToPayableMap' } }] })).toThrow(/flows\.0\.audit.*pushDown needs an audited bill/s);
  });
});
