// Retry policy: what a failed send leads to. Pure (the clock is the `at` passed in), so the
// backoff, the dead letter and the quiet-hours rule are unit-tested without a database or gateway.
// A 4xx from the operator is final (`failed`); a retryable error goes back to the queue with
// exponential backoff until `maxAttempts`, then the row is `dead` (shown to the patient, counted by
// operations). A reminder is never retried into quiet hours, nor after its visit has begun.
import { DEFAULT_QUIET_HOURS, isInQuietHours, nextQuietHoursEnd, type QuietHours } from "@/lib/reminders/schedule";
import { SmsError } from "@/lib/sms/types";
import type { SmsDispatchConfig } from "./types";

export interface RetryPolicy {
  maxAttempts: number;
  /** First retry delay; doubled per attempt, at most MAX_BACKOFF_MS. */
  retryBaseMs: number;
  quietHours: QuietHours;
}

const MAX_BACKOFF_MS = 3_600_000;

export function retryPolicyOf(
  config: Pick<SmsDispatchConfig, "maxAttempts" | "retryBaseMs" | "quietHours">,
): RetryPolicy {
  return {
    maxAttempts: config.maxAttempts ?? 5,
    retryBaseMs: config.retryBaseMs ?? 30_000,
    quietHours: config.quietHours ?? DEFAULT_QUIET_HOURS,
  };
}

/** The visit a reminder is for; null for other SMS (a code, an offer), which have no such limit. */
export type RetryVisit = { startsAt: Date; timeZone: string } | null;

export type AfterFailure =
  { status: "failed" | "dead"; dueAt: null; lastError: string } | { status: "queued"; dueAt: Date; lastError: string };

/**
 * The row's next state after a send failed on attempt number `attempts` (1 for the first).
 * `lastError` carries no number or text: SmsError messages are masked by the adapter, and any
 * other error is named only as unexpected.
 */
export function afterFailedSend(
  policy: RetryPolicy,
  failure: { error: unknown; attempts: number; at: Date; visit: RetryVisit },
): AfterFailure {
  const smsError =
    failure.error instanceof SmsError ? failure.error : new SmsError("unexpected send error", { retryable: true });
  const lastError = smsError.message.slice(0, 300);
  if (!smsError.retryable) return { status: "failed", dueAt: null, lastError };
  const retryAt = nextAttemptAt(policy, failure.attempts, failure.at, failure.visit);
  if (failure.attempts >= policy.maxAttempts || retryAt === null) return { status: "dead", dueAt: null, lastError };
  return { status: "queued", dueAt: retryAt, lastError };
}

/** Exponential backoff; a reminder's retry respects quiet hours and is pointless after the visit. */
export function nextAttemptAt(policy: RetryPolicy, attempts: number, at: Date, visit: RetryVisit): Date | null {
  const backoff = Math.min(policy.retryBaseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  let when = new Date(at.getTime() + backoff);
  if (visit) {
    if (isInQuietHours(when, visit.timeZone, policy.quietHours))
      when = nextQuietHoursEnd(when, visit.timeZone, policy.quietHours);
    if (when.getTime() >= visit.startsAt.getTime()) return null;
  }
  return when;
}
