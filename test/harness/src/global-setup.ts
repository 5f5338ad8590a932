export default async function globalSetup(): Promise<void> {
  throw new Error('harness not implemented yet');
}
