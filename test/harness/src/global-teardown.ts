export default async function globalTeardown(): Promise<void> {
  const harness = globalThis.__yecaiHarness;
  globalThis.__yecaiHarness = undefined;
  if (harness) await harness.stop();
}
