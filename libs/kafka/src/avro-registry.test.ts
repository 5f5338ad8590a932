import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AvroSerde } from './avro';

/**
 * A registry that stops answering must not hang the service: each request has a deadline and is retried. The
 * server here is a plain HTTP listener that leaves chosen requests unanswered, as a stuck registry would.
 */
describe('schema registry client deadlines', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  let unansweredLeft = 0;
  let answer: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;

  beforeEach(async () => {
    seen.length = 0;
    server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      request.resume();
      if (unansweredLeft > 0) {
        unansweredLeft -= 1;
        return; // left hanging
      }
      request.on('end', () => answer(request, response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
    response.end(JSON.stringify(body));
  };

  it('a registration left unanswered is abandoned after the deadline and retried', async () => {
    unansweredLeft = 1;
    // The library reads the subject's rule before registering; that first call is the one left hanging.
    answer = (request, response) =>
      request.method === 'GET' ? json(response, 200, { compatibilityLevel: 'BACKWARD' }) : json(response, 200, { id: 42 });
    const serde = new AvroSerde(url, { requestTimeoutMs: 300 });
    const started = Date.now();
    await expect(serde.register('orders-value', { type: 'record', name: 'Order', fields: [] })).resolves.toBe(42);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toEqual(['GET /config/orders-value', 'GET /config/orders-value', 'POST /subjects/orders-value/versions']);
  });

  it('subject config and compatibility calls are retried the same way, and their answers read', async () => {
    unansweredLeft = 1;
    answer = (request, response) => {
      if (request.url?.startsWith('/config/')) return json(response, 200, { compatibilityLevel: 'BACKWARD' });
      return json(response, 200, { is_compatible: false });
    };
    const serde = new AvroSerde(`${url}/`, { requestTimeoutMs: 300 });
    await serde.setCompatibility('a b-value', 'BACKWARD');
    expect(await serde.subjectCompatibility('a b-value')).toBe('BACKWARD');
    expect(await serde.isCompatible('a b-value', { type: 'string' })).toBe(false);
    expect(seen).toEqual([
      'PUT /config/a%20b-value',
      'PUT /config/a%20b-value',
      'GET /config/a%20b-value',
      'POST /compatibility/subjects/a%20b-value/versions/latest',
    ]);
  });

  it('a refusal (4xx) is reported at once with the registry message, not retried', async () => {
    answer = (_request, response) => json(response, 422, { error_code: 42201, message: 'Invalid schema' });
    const serde = new AvroSerde(url, { requestTimeoutMs: 300 });
    await expect(serde.isCompatible('orders-value', { type: 'nonsense' })).rejects.toThrow(/HTTP 422 .*Invalid schema/);
    await expect(serde.register('orders-value', { type: 'record', name: 'Order', fields: [] })).rejects.toThrow(/Invalid schema/);
    expect(seen).toHaveLength(2);
  });

  it('a registry that never answers fails after the attempts run out, naming the call', async () => {
    unansweredLeft = 100;
    const serde = new AvroSerde(url, { requestTimeoutMs: 200 });
    await expect(serde.setCompatibility('orders-value', 'BACKWARD')).rejects.toThrow(/schema registry PUT \/config\/orders-value: no answer/);
    expect(seen).toHaveLength(4);
  });
});
