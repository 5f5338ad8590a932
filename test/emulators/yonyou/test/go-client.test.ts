/**
 * A second client, in Go's standard library after the official Go SDK's recipe (scripts/build-go-client.sh), drives
 * the emulator: its signature, query encoding and header token are accepted, a wrong secret is refused. The official
 * module itself cannot be fetched here (the Go module proxy answers 403), so this checks the recipe, not the SDK's
 * bytes. Skipped when `go` is not installed.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { EMULATOR_CREDENTIALS, startYonyouEmulator, type YonyouEmulator } from '../src';

const hasGo = spawnSync('go', ['version']).status === 0;

(hasGo ? describe : describe.skip)('the Go SDK recipe against the YonSuite emulator', () => {
  let emulator: YonyouEmulator;
  let binary: string;
  beforeAll(async () => {
    binary = execFileSync('bash', [join(__dirname, '..', 'scripts', 'build-go-client.sh')], {
      encoding: 'utf8',
      timeout: 240_000,
    })
      .trim()
      .split('\n')
      .pop()!;
    emulator = await startYonyouEmulator();
  }, 250_000);
  afterAll(() => emulator?.close());

  // Asynchronously: the emulator answers from this process's event loop.
  const run = async (secret: string) =>
    JSON.parse(
      (
        await promisify(execFile)(
          binary,
          [
            emulator.url,
            EMULATOR_CREDENTIALS.tenantId,
            EMULATOR_CREDENTIALS.appKey,
            secret,
            '/yonbip/scm/salesout/list',
            '{"pageIndex":1,"pageSize":10,"isSum":true}',
          ],
          { encoding: 'utf8', timeout: 30_000 },
        )
      ).stdout,
    ) as Record<string, unknown>;

  it('looks the gateway up, gets a token with its own signature and calls a list API with it', async () => {
    expect(await run(EMULATOR_CREDENTIALS.appSecret)).toMatchObject({
      lookup: '00000',
      token: '00000',
      call: '200',
      body: { data: { recordCount: 0 } },
    });
    expect(emulator.stats.counts.token_bad_signature).toBeUndefined();
  });

  it("a wrong secret is refused by the emulator's signature check", async () => {
    expect(await run('wrong-secret')).toMatchObject({ lookup: '00000', token: '10021' });
  });
});
