/** What a source gives the conformance suite: its declaration, its emulator behind a small adapter, its codes. */
import type { DefinedSource, SourceAccountBase } from '../define-source';
import type { SourceTransport } from '../transport';
import type { VersionRef } from './raw';

export interface ConformanceEmulatorOptions {
  seed: number;
  /** Documents per stream (by our stream name), modified between fromMs and toMs. */
  documents: Record<string, number>;
  fromMs: number;
  toMs: number;
  /** Share of documents that share their modified second with others. */
  sameSecondRatio?: number;
  /** Delay of every answer (a kill -9 then lands while the sync runs). */
  latencyMs?: number;
  /** Throttle bursts, 5xx bursts and rate, timeouts and token expiry — every fault the system has. */
  storm?: boolean;
}

/** The source's emulator as the suite sees it; a small adapter over the emulator's own API. */
export interface ConformanceEmulator {
  url: string;
  /**
   * Ground truth: the current version of every document the stream must publish for an account of this variant
   * (API-side filters applied). A late update's earlier version is not listed (the suite counts it itself).
   */
  versions(stream: string, variant: string): VersionRef[];
  /** `count` new documents of a stream, all modified in the same second `atMs`. */
  addSameSecond(stream: string, count: number, atMs: number): void;
  /** A late update: an existing document gets a new modified time `atMs` and changed content. Returns its id. */
  modifyLate(stream: string, atMs: number): string;
  /** Counters that a storm must have moved (the emulator's own evidence: throttled answers, expired tokens…). */
  stormEvidence(): Record<string, number>;
  close(): Promise<void>;
}

export interface SourceConformanceSpec<Account extends SourceAccountBase> {
  source: DefinedSource<Account, SourceTransport>;
  startEmulator(options: ConformanceEmulatorOptions): Promise<ConformanceEmulator>;
  /** Raw config of one account against the emulator (secrets as env: references, generous rate limits). */
  account(
    emulator: ConformanceEmulator,
    account: { name: string; variant: string; startAt: string; streams: string[] },
  ): Record<string, unknown>;
  /** Account variants (旺店通: 'qyb', 'qjb' editions); the live and crash cases run every one. Default ['default']. */
  variants?: string[];
  /** Two document streams; the same-second burst goes to the first, the late update to the second. */
  streams: [string, string];
  /** Streams of the storm case, when others show the system's faults better (default `streams`). */
  stormStreams?: [string, string];
  /** Environment the secret references need (set here and given to the spawned service). */
  secretEnv: Record<string, string>;
  /** Strings that must never appear in metrics (the secrets' values). */
  secrets: string[];
  /** Codes a storm must show: `yecai_source_throttled_total{code}` and `yecai_source_api_calls_total{outcome}`. */
  stormCodes: { throttled: string[]; outcomes: string[] };
  /** The service's entry point, spawned for kill -9. */
  main: string;
  /** kill -9 volume: documents per stream and answer latency; the kills must land mid-sync. */
  crash: {
    documents: Record<string, number>;
    latencyMs: number;
    kills?: number;
    windowMinutes?: number;
    /** Versions the emulator must hold in all (a floor, so an adapter filtering too much fails). */
    atLeast?: number;
  };
  /** Documents per stream of the live case (default 1500 / 500) plus a 437-document same-second burst. */
  liveDocuments?: [number, number];
}
