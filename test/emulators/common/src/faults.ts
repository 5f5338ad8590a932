import type { Response } from 'express';
import type { Socket } from 'node:net';
import type { CallStats } from './calls';

/**
 * The fault knobs of one emulator: a plain object of settings (each emulator names its own, e.g.
 * `serverErrorBurst`, `latencyMs`), merged by `POST /__admin/faults` and read by the request handlers.
 * Counters named `…Burst` / `…Next` mean "the next N calls"; `take` uses one up.
 */
export class FaultKnobs<F extends object> {
  private settings: F;
  private readonly tally: Partial<Record<keyof F, number>> = {};

  constructor(initial: Partial<F> = {}) {
    this.settings = { ...initial } as F;
  }

  /** The live settings (handlers read them on every call). */
  get current(): F {
    return this.settings;
  }

  /** Merges new settings over the current ones, as the admin route does. */
  merge(next: Partial<F>): F {
    this.settings = { ...this.settings, ...next };
    return this.settings;
  }

  /** Clears every fault. */
  clear(): void {
    this.settings = {} as F;
  }

  /** Uses up one call of a "next N calls" counter; false when it is unset or spent. */
  take(counter: { [K in keyof F]: F[K] extends number | undefined ? K : never }[keyof F]): boolean {
    const left = this.settings[counter] as number | undefined;
    if (left === undefined || left <= 0) return false;
    (this.settings[counter] as number) = left - 1;
    this.tally[counter] = (this.tally[counter] ?? 0) + 1;
    return true;
  }

  /**
   * How many calls each "next N" counter has met since the emulator started (`clear` keeps the tally): a test that
   * arms a fault reads it to prove the fault was exercised, not merely set.
   */
  get used(): Partial<Record<keyof F, number>> {
    return { ...this.tally };
  }
}

/**
 * True with probability `rate` (0..1), drawn from the emulator's seeded random so a run replays. Draws nothing while
 * the rate is unset, so setting one fault does not shift another fault's sequence.
 */
export function happens(rate: number | undefined, random: () => number): boolean {
  return rate !== undefined && random() < rate;
}

/** A lost answer: the request is never answered and the connection is cut after `afterMs`. */
export function dropConnection(socket: Socket, afterMs: number): void {
  setTimeout(() => socket.destroy(), afterMs);
}

/** What a gateway in front of the SaaS answers when the backend is down: an HTML error page, not the API's JSON. */
export function sendGatewayError(res: Response, status = 502, title = 'Bad Gateway'): void {
  res.status(status).type('html').send(`<html><body><h1>${status} ${title}</h1></body></html>`);
}

/** Added latency. */
export function delay(ms: number | undefined): Promise<void> {
  return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The gateway faults every SaaS emulator offers (an emulator adds its own beside them). */
export interface GatewayFaults {
  /** The next N API calls answer HTTP 502. */
  serverErrorBurst?: number;
  /** Probability (seeded) that an API call answers HTTP 502. */
  serverErrorRate?: number;
  /** The next N API calls never answer; the connection is cut after `timeoutMs` (default 30 s). */
  timeoutBurst?: number;
  timeoutMs?: number;
  /** The next N API calls are refused as throttled (the emulator picks its own throttling answers). */
  throttleBurst?: number;
  /** Added latency on every API call. */
  latencyMs?: number;
}

/**
 * A lost answer (`timeoutBurst`) or a gateway 502 (`serverErrorBurst`, `serverErrorRate`), counted as `timeout` /
 * `5xx`. True when the call has been dealt with and the handler must stop.
 */
export function answerGatewayFault(
  faults: FaultKnobs<GatewayFaults>,
  res: Response,
  random: () => number,
  stats: CallStats,
): boolean {
  if (faults.take('timeoutBurst')) {
    stats.count('timeout');
    dropConnection(res.req.socket, faults.current.timeoutMs ?? 30_000);
    return true;
  }
  if (faults.take('serverErrorBurst') || happens(faults.current.serverErrorRate, random)) {
    stats.count('5xx');
    sendGatewayError(res);
    return true;
  }
  return false;
}
