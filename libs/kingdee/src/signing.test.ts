import {
  buildSignatureHeaders,
  canonicalSignString,
  decodeClientSecret,
  encodeSignedPath,
  kingdeeHmac,
  loginBySignHash,
} from './signing';

// Published vectors: kingdee-webapi.md §3.2.6 (official Python SDK 8.2.0) and §3.1.3 (LoginBySign).
const identity = {
  acctId: 'dcid-1',
  userName: 'user-1',
  appId: '123456_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4',
  appSecret: 'test-app-secret-value',
  lcid: 2052,
};

describe('Kingdee signature vectors', () => {
  it('decodes the client secret embedded in the AppID', () => {
    expect(decodeClientSecret('YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4')).toBe('UVJWUANVXl8KXFlfWV1YSBNCShcUQRNL');
  });

  it('decodes a client secret of the wrong length to the empty key, like the Python SDK', () => {
    expect(decodeClientSecret('short')).toBe('');
  });

  it('encodes the service path with / as %2F', () => {
    expect(
      encodeSignedPath('https://erp.example.com/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc'),
    ).toBe('%2FK3Cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc');
  });

  it('reproduces the generic HMAC vector', () => {
    expect(kingdeeHmac(canonicalSignString('%2Ftest', '1', '1'), 'key123')).toBe(
      'MThmZGFiM2U5MGZhNmU0MDQ0MWI1NTNkNmNmMjY2MDY0YzEzZTllNTA0OTBmM2M0NDI2NzFiMTI3NTFkZmU1ZQ==',
    );
  });

  it('reproduces the Python-style (seconds) ExecuteBillQuery headers', () => {
    const headers = buildSignatureHeaders({
      ...identity,
      orgNumber: 100,
      serviceUrl: 'https://erp.example.com/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc',
      timestamp: '1700000000',
    });
    expect(headers).toEqual({
      'X-Api-ClientID': '123456',
      'X-Api-Auth-Version': '2.0',
      'x-api-timestamp': '1700000000',
      'x-api-nonce': '1700000000',
      'x-api-signheaders': 'x-api-timestamp,x-api-nonce',
      'X-Api-Signature': 'MjNhMzg5MmZiMWE1MTQ1ZGE5NWFkYmZiZWYxYzhlY2NjNzcwM2ZjNDJlZTczMzBhNzkxOTk1ODhjNDZkMTEzYw==',
      'X-Kd-Appkey': '123456_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4',
      'X-Kd-Appdata': 'ZGNpZC0xLHVzZXItMSwyMDUyLDEwMA==',
      'X-Kd-Signature': 'NjI5MzRiZGVhNGJhOWY2N2Y2YzQ2MzQ5ODA3N2JiZTRiMDRmOTUwNjI3YWIzODU1ODBkZDdhNzgwMzdmMDgxMg==',
    });
  });

  it('reproduces the Java-style (milliseconds) Save headers', () => {
    const headers = buildSignatureHeaders({
      ...identity,
      orgNumber: 0,
      serviceUrl: '/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc',
      timestamp: '1700000000123',
    });
    expect(headers['X-Api-Signature']).toBe(
      'MWNkYzg5ZTdhODliYWQ1YjYxZGIxOWUxMjc0ZjE5NjU4YzQwNWY2ODFlODE5YzhjYWRlYTMwNTc1MDE1OWYxNQ==',
    );
    expect(headers['X-Kd-Appdata']).toBe('ZGNpZC0xLHVzZXItMSwyMDUyLDA=');
    expect(headers['X-Kd-Signature']).toBe(
      'OGY1MTJjYjM4MTc1MWQ0ZWNkMmFhODNkYjhlNTNlODBkMWY3Mjk3MTI4N2MwMzhkMzM4OTVmMmU2YzQ4YWJjYg==',
    );
  });

  it('reproduces the LoginBySign SHA-256 and SHA-1 vectors', () => {
    const parts = {
      acctId: '5e53350aa5f7ab',
      userName: 'demo',
      appId: '216690_0+6JWaEL1NDYSZ9Hw1SA3cXKzsX9XNqH',
      appSecret: '8b2677b7426a4ce7b3de6413d8924bbe',
      timestamp: '1700000000',
    };
    expect(loginBySignHash(parts)).toBe('e8054663282b14859e26f79f4dbeab5d5ead07672b465d0fb516b78c1baee284');
    expect(loginBySignHash(parts, 'sha1')).toBe('cfdf96b0b11c69fb1a0c74612a91a770c825e3f7');
  });
});
