/** The record-and-replay of a synchronous mapping run that needs values only a promise gives (see NEEDS_REPLAY). */
/**
 * Thrown by a synchronous mapping run that needs a value only a promise gives: a master-data record not in the cache,
 * an expression only JSONata evaluates. The first run of a document records nothing and gives up with NEEDS_REPLAY.
 * Replayed runs (a Replay) then collect these values, starting as many as they safely can in one run:
 * - records, by entity and key: one not known yet is read, and the run goes on with none in its place (it is
 *   "tainted": its outcome is not used), so the lookups of every line start in the same run;
 * - JSONata values, per rule in the order the rule asks for them: one not recorded yet is started and stops the run
 *   (NEEDS_VALUE) — except in a field, whose value feeds nothing else, so the fields of every line start in the same
 *   run. A tainted run starts no JSONata evaluation (its bindings may lack a record) and reads none of the recorded.
 * Once everything started has settled the document is mapped again from the start; the first run that needs nothing
 * more is the outcome, the one the step-by-step async mapping gave: mapping is a pure function of the document and
 * these values, and a rule that parks where an earlier run went on asks for a prefix of the same values.
 */
export const NEEDS_REPLAY: unique symbol = Symbol('needs replay');
export const NEEDS_VALUE: unique symbol = Symbol('needs value');

/** A value being awaited, in its place among the recorded ones. */
export class Pending {
  constructor(readonly promise: Promise<unknown>) {}
}

/** A JSONata evaluation that threw: recorded like a value, re-thrown (as a park) where the expression is. */
export class Failed {
  constructor(readonly error: unknown) {}
}

/**
 * The values a document's replayed runs have asked for so far, per rule in the order the rule asked for them (a rule
 * stops at its first park, so a run that parks where an earlier one went on asks for a prefix of the same values).
 */
export class Replay {
  private readonly byRule: unknown[][] = [];
  values: unknown[] = [];
  position = 0;
  /** Master-data records (or null) by `entity\0key`, or Pending while read. */
  readonly records = new Map<string, unknown>();
  /** Whether this run went on without a record it needs (see NEEDS_VALUE). */
  tainted = false;

  /** Replays the values of the document's `index`-th rule from its first. */
  startRule(index: number): void {
    this.values = this.byRule[index] ??= [];
    this.position = 0;
  }

  /** The next value when it is recorded and settled; NEEDS_VALUE while it is pending. */
  next(): unknown {
    const value = this.values[this.position++];
    if (value instanceof Pending) throw NEEDS_VALUE;
    return value;
  }

  get recordedAll(): boolean {
    return this.position >= this.values.length;
  }

  /** Records a value still to come, in the current place, and stops the current evaluation. */
  wait(promise: Promise<unknown>): never {
    this.values.push(new Pending(promise));
    this.position += 1;
    throw NEEDS_VALUE;
  }

  get pending(): boolean {
    return this.byRule.some((values) => values.some((value) => value instanceof Pending)) || [...this.records.values()].some((value) => value instanceof Pending);
  }

  /** Waits for every pending value (a failing master-data read fails the document, as a read error always did). */
  async settle(): Promise<void> {
    await Promise.all([
      ...this.byRule.flatMap((values) =>
        values.map(async (value, index) => {
          if (value instanceof Pending) values[index] = await value.promise;
        }),
      ),
      ...[...this.records].map(async ([key, value]) => {
        if (value instanceof Pending) this.records.set(key, await value.promise);
      }),
    ]);
  }
}
