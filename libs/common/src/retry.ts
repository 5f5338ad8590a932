import { backOff } from 'exponential-backoff';
import { isRetriable } from './errors';

export interface RetryOptions {
  /** Total attempts including the first. */
  maxAttempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Decides whether an error is worth another attempt; defaults to the error's own `retriable` flag. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. to count retries in metrics. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * The one retrier of the project: exponential backoff with full jitter, bailing out at once on
 * errors that are not retriable. Every client and service retries through this function.
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const shouldRetry = options.shouldRetry ?? ((error: unknown) => isRetriable(error));
  return backOff(operation, {
    numOfAttempts: options.maxAttempts ?? 5,
    startingDelay: options.initialDelayMs ?? 200,
    maxDelay: options.maxDelayMs ?? 10_000,
    timeMultiple: 2,
    jitter: 'full',
    delayFirstAttempt: false,
    retry: (error: unknown, attemptNumber: number) => {
      if (!shouldRetry(error, attemptNumber)) return false;
      options.onRetry?.(error, attemptNumber);
      return true;
    },
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
