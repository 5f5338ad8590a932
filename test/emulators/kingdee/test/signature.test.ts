import { canonicalRequest, decodeClientSecret, expectedApiSignature, expectedKdSignature, kingdeeHmac } from '../src/signature';

/** kingdee-webapi.md §3.2.6: vectors stated to come from the official Python SDK 8.2.0, recomputed independently. */
const APP_ID = '123456_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4';
const APP_SECRET = 'test-app-secret-value';

describe('Kingdee emulator signature check (kingdee-webapi.md §3.2.6 vectors)', () => {
  it('decodes the client secret and signs the documented HMAC vector', () => {
    expect(decodeClientSecret('YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4')).toBe('UVJWUANVXl8KXFlfWV1YSBNCShcUQRNL');
    expect(kingdeeHmac('POST\n%2Ftest\n\nx-api-nonce:1\nx-api-timestamp:1\n', 'key123')).toBe(
      'MThmZGFiM2U5MGZhNmU0MDQ0MWI1NTNkNmNmMjY2MDY0YzEzZTllNTA0OTBmM2M0NDI2NzFiMTI3NTFkZmU1ZQ==',
    );
  });

  it('expects the Python SDK signatures (seconds, nonce = timestamp, OrgNum 100)', () => {
    const path = '/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc';
    expect(canonicalRequest(path, '1700000000', '1700000000')).toContain(
      '%2FK3Cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc',
    );
    expect(expectedApiSignature(APP_ID, path, '1700000000', '1700000000')).toBe(
      'MjNhMzg5MmZiMWE1MTQ1ZGE5NWFkYmZiZWYxYzhlY2NjNzcwM2ZjNDJlZTczMzBhNzkxOTk1ODhjNDZkMTEzYw==',
    );
    const appData = 'dcid-1,user-1,2052,100';
    expect(Buffer.from(appData).toString('base64')).toBe('ZGNpZC0xLHVzZXItMSwyMDUyLDEwMA==');
    expect(expectedKdSignature(APP_ID, appData, APP_SECRET)).toBe(
      'NjI5MzRiZGVhNGJhOWY2N2Y2YzQ2MzQ5ODA3N2JiZTRiMDRmOTUwNjI3YWIzODU1ODBkZDdhNzgwMzdmMDgxMg==',
    );
  });

  it('expects the Java SDK signatures (milliseconds, lower-case /k3cloud path, OrgNum 0)', () => {
    const path = '/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc';
    expect(expectedApiSignature(APP_ID, path, '1700000000123', '1700000000123')).toBe(
      'MWNkYzg5ZTdhODliYWQ1YjYxZGIxOWUxMjc0ZjE5NjU4YzQwNWY2ODFlODE5YzhjYWRlYTMwNTc1MDE1OWYxNQ==',
    );
    expect(expectedKdSignature(APP_ID, 'dcid-1,user-1,2052,0', APP_SECRET)).toBe(
      'OGY1MTJjYjM4MTc1MWQ0ZWNkMmFhODNkYjhlNTNlODBkMWY3Mjk3MTI4N2MwMzhkMzM4OTVmMmU2YzQ4YWJjYg==',
    );
  });
});
