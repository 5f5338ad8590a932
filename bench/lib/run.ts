/** Runs a benchmark's main and exits: 0 when it finished, 1 with the error named after the benchmark. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`${name}: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
