// When to try a webhook again, and when to give up. Pure functions of the attempt count, the clock
// and a random number, so the 24-hour window is tested without waiting a day.
//
// Exponential backoff (10 s, 20 s, 40 s … capped at one hour) with ±20 % jitter, so that the
// events that failed together when a receiver went down do not all come back in the same second.
// A dispatch is given up (`failed`) only on a failure at or after the end of the window: the last
// try is never earlier than 24 hours after the first, whatever the jitter did.

export interface RetryPolicy {
  /** First retry delay. */
  baseMs: number;
  /** Longest delay between two tries. */
  maxDelayMs: number;
  /** Keep trying at least this long after the first try (or the last replay). */
  windowMs: number;
  /** ±fraction of the delay, e.g. 0.2. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 10_000,
  maxDelayMs: 3_600_000,
  windowMs: 24 * 3_600_000,
  jitter: 0.2,
};

/** The delay before try number `attempts + 1`, after `attempts` failed tries (attempts ≥ 1). */
export function retryDelayMs(attempts: number, random: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^exponent overflows to Infinity long after the cap; Math.min keeps it finite.
  const raw = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(exponent, 40));
  const factor = 1 + policy.jitter * (2 * clamp01(random) - 1);
  return Math.max(1_000, Math.round(raw * factor));
}

export type AfterFailure = { kind: "retry"; at: Date } | { kind: "give_up" };

/**
 * What to do after a failed try: `windowStartedAt` is when the first try (or the replay) was due,
 * `attempts` how many tries have been made, `now` the moment this one failed.
 */
export function afterFailure(
  input: { attempts: number; windowStartedAt: Date; now: Date; random: number },
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): AfterFailure {
  const windowEnd = input.windowStartedAt.getTime() + policy.windowMs;
  if (input.now.getTime() >= windowEnd) return { kind: "give_up" };
  return { kind: "retry", at: new Date(input.now.getTime() + retryDelayMs(input.attempts, input.random, policy)) };
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0.5;
}
