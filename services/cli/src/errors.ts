/** A mistake in how the CLI was called: printed as one line, exit code 2, nothing changed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
