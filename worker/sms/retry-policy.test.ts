import { describe, expect, it } from "vitest";
import { SmsError } from "@/lib/sms/types";
import { afterFailedSend, nextAttemptAt, retryPolicyOf } from "./retry-policy";

// Monday 4 March 2030, 10:00 in Stockholm (UTC+1).
const at = new Date("2030-03-04T09:00:00Z");
const policy = retryPolicyOf({ maxAttempts: 4, retryBaseMs: 10_000 });
const visit = { startsAt: new Date("2030-03-04T15:00:00Z"), timeZone: "Europe/Stockholm" };
const busy = new SmsError("HTTP 503", { retryable: true, status: 503 });

describe("retry policy", () => {
  it("defaults: five attempts, 30 s first delay, 21–08 quiet hours", () => {
    expect(retryPolicyOf({})).toEqual({
      maxAttempts: 5,
      retryBaseMs: 30_000,
      quietHours: { start: "21:00", end: "08:00" },
    });
  });

  it("backs off exponentially from the base, at most an hour", () => {
    const delays = [1, 2, 3, 4, 10, 20].map(
      (n) => (nextAttemptAt(policy, n, at, null)!.getTime() - at.getTime()) / 1000,
    );
    expect(delays).toEqual([10, 20, 40, 80, 3_600, 3_600]);
  });

  it("a retryable error goes back to the queue at the backoff time", () => {
    expect(afterFailedSend(policy, { error: busy, attempts: 2, at, visit })).toEqual({
      status: "queued",
      dueAt: new Date(at.getTime() + 20_000),
      lastError: "HTTP 503",
    });
  });

  it("the last allowed attempt failing makes the row dead (the dead letter)", () => {
    expect(afterFailedSend(policy, { error: busy, attempts: 4, at, visit })).toEqual({
      status: "dead",
      dueAt: null,
      lastError: "HTTP 503",
    });
    expect(afterFailedSend(policy, { error: busy, attempts: 3, at, visit }).status).toBe("queued");
  });

  it("a refusal (4xx) is final at once, whatever the attempt", () => {
    const refused = new SmsError("HTTP 403: no credit", { retryable: false, status: 403 });
    expect(afterFailedSend(policy, { error: refused, attempts: 1, at, visit })).toEqual({
      status: "failed",
      dueAt: null,
      lastError: "HTTP 403: no credit",
    });
  });

  it("an unexpected error is retried and named without its message (it could carry data)", () => {
    const r = afterFailedSend(policy, { error: new TypeError("to=+46701740610"), attempts: 1, at, visit });
    expect(r).toMatchObject({ status: "queued", lastError: "unexpected send error" });
  });

  it("a reminder is not retried into quiet hours: it waits for 08:00 in the clinic's time zone", () => {
    // 20:59:55 Stockholm; the retry 10 s later would be at 21:00:05.
    const late = new Date("2030-03-04T19:59:55Z");
    const tomorrow = { ...visit, startsAt: new Date("2030-03-05T12:00:00Z") };
    expect(nextAttemptAt(policy, 1, late, tomorrow)).toEqual(new Date("2030-03-05T07:00:00Z"));
    // Other SMS (a login code) have no quiet hours.
    expect(nextAttemptAt(policy, 1, late, null)).toEqual(new Date("2030-03-04T20:00:05Z"));
  });

  it("a reminder whose retry would fall at or after the visit is dead now", () => {
    const soon = { ...visit, startsAt: new Date(at.getTime() + 20_000) };
    expect(nextAttemptAt(policy, 2, at, soon)).toBeNull();
    expect(afterFailedSend(policy, { error: busy, attempts: 2, at, visit: soon }).status).toBe("dead");
    expect(nextAttemptAt(policy, 1, at, soon)).toEqual(new Date(at.getTime() + 10_000));
  });

  it("the quiet-hours end is 08:00 local across the spring switch to summer time", () => {
    // Saturday 30 March 2030, 22:00 CET; clocks go forward that night, so 08:00 is 06:00 UTC.
    const evening = new Date("2030-03-30T21:00:00Z");
    const monday = { startsAt: new Date("2030-04-01T08:00:00Z"), timeZone: "Europe/Stockholm" };
    expect(nextAttemptAt(policy, 1, evening, monday)).toEqual(new Date("2030-03-31T06:00:00Z"));
  });
});
