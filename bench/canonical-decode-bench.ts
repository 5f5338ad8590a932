/**
 * Decoding canonical events: `decodeCanonical` (typed plain value, decimals read as text) against what the sink did
 * before it (the serde's Decimal decode, then a JSON.parse(JSON.stringify()) round trip), on the same messages.
 *
 *   SCHEMA_REGISTRY_URL=… npx tsx bench/canonical-decode-bench.ts [--events 10000] [--rounds 5]
 *
 * Uses the running local stack's registry (`eval "$(./yecai stack env)"`). Prints the median of the rounds.
 */
import { parseArgs } from 'node:util';
import { decodeCanonical, loadCanonicalSchema } from '@yecai/contracts';
import { AvroSerde, topics } from '@yecai/kafka';
import { canonical } from '@yecai/sink-kingdee/test/fixtures';
import { wholeNumberFlag } from './lib/flags';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '5' } },
});
const events = wholeNumberFlag('events', values.events);
const rounds = wholeNumberFlag('rounds', values.rounds);
const registryUrl = process.env.SCHEMA_REGISTRY_URL;
if (!registryUrl) throw new Error('SCHEMA_REGISTRY_URL: not set (eval "$(./yecai stack env)")');

/** A sales out-stock of `lines` lines (the sink's test fixture, prices and quantities varied per line). */
const salesOutstock = (index: number, lines: number) =>
  canonical('sales_outstock', String(20240000 + index), {
    lines: Array.from({ length: lines }, (_, n) => ({
      material: `M${n}`,
      qty: String(1 + (n % 5)),
      price: `${59 + n}.50`,
    })),
  });

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

async function time(messages: Buffer[], decode: (message: Buffer) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (const message of messages) await decode(message);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  process.env.YECAI_TOPIC_PREFIX = `bench-${Date.now().toString(36)}.`;
  const serde = new AvroSerde(registryUrl!);
  const { schema } = loadCanonicalSchema('sales_outstock');
  const schemaId = await serde.register(`${topics.canonical('sales_outstock')}-value`, schema);
  for (const lines of [1, 5]) {
    const messages = await Promise.all(
      Array.from({ length: events }, (_, index) => serde.encode(schemaId, salesOutstock(index, lines))),
    );
    const roundTrip = (message: Buffer) =>
      serde.decode(message).then((value) => JSON.parse(JSON.stringify(value)) as unknown);
    const typed = (message: Buffer) => decodeCanonical(serde, 'sales_outstock', message);
    await time(messages.slice(0, 500), roundTrip); // warm-up: schema fetches and JIT
    await time(messages.slice(0, 500), typed);
    const before: number[] = [];
    const after: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      before.push(await time(messages, roundTrip));
      after.push(await time(messages, typed));
    }
    const [b, a] = [median(before), median(after)];
    console.log(
      `${events} sales_outstock events of ${lines} line(s), median of ${rounds}: ` +
        `Decimal decode + JSON round trip ${b.toFixed(0)} ms (${Math.round((events / b) * 1000)}/s), ` +
        `decodeCanonical ${a.toFixed(0)} ms (${Math.round((events / a) * 1000)}/s), ${(b / a).toFixed(2)}× faster`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
