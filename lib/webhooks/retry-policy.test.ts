import { describe, expect, it } from "vitest";
import { afterFailure, DEFAULT_RETRY_POLICY, retryDelayMs } from "./retry-policy";

const hour = 3_600_000;

describe("webhook retry policy", () => {
  it("doubles the delay from 10 s and caps it at an hour", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0.5))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(9, 0.5)).toBe(2_560_000);
    expect(retryDelayMs(10, 0.5)).toBe(hour);
    expect(retryDelayMs(500, 0.5)).toBe(hour);
  });

  it("spreads retries by ±20 % so failures that happened together do not return together", () => {
    expect(retryDelayMs(4, 0)).toBe(64_000);
    expect(retryDelayMs(4, 1)).toBe(96_000);
    // Nonsense from the random source cannot produce a nonsense delay.
    expect(retryDelayMs(4, Number.NaN)).toBe(80_000);
    expect(retryDelayMs(4, 7)).toBe(96_000);
  });

  it("keeps retrying until 24 hours after the first try, then gives up", () => {
    const start = new Date("2026-12-01T10:00:00Z");
    const at = (ms: number) => new Date(start.getTime() + ms);
    expect(afterFailure({ attempts: 1, windowStartedAt: start, now: start, random: 0.5 })).toEqual({
      kind: "retry",
      at: at(10_000),
    });
    expect(afterFailure({ attempts: 30, windowStartedAt: start, now: at(24 * hour - 1), random: 0.5 })).toEqual({
      kind: "retry",
      at: at(25 * hour - 1),
    });
    expect(afterFailure({ attempts: 30, windowStartedAt: start, now: at(24 * hour), random: 0.5 })).toEqual({
      kind: "give_up",
    });
  });

  it("simulated against a receiver that is never up: the last try is 24–25 h after the first", () => {
    for (const random of [0, 0.5, 1]) {
      const start = new Date("2026-03-28T23:00:00Z"); // across the spring summer-time switch: UTC is all that counts
      let now = start;
      let attempts = 1;
      for (;;) {
        const next = afterFailure({ attempts, windowStartedAt: start, now, random });
        if (next.kind === "give_up") break;
        now = next.at;
        attempts++;
      }
      const span = now.getTime() - start.getTime();
      expect(span).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.windowMs);
      expect(span).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.windowMs + 1.2 * hour);
      expect(attempts).toBeGreaterThan(20);
      expect(attempts).toBeLessThan(40);
    }
  });
});
