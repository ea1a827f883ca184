import { describe, expect, it } from "vitest";
import { absoluteExpiry, sessionState, shouldTouch } from "./session-policy";

const limits = { idleMinutes: 30, absoluteHours: 12 };
const login = new Date("2026-11-24T08:00:00Z");
const fresh = {
  createdAt: login,
  lastSeenAt: login,
  absoluteExpiresAt: absoluteExpiry(login, limits),
  revokedAt: null,
};
const at = (minutes: number) => new Date(login.getTime() + minutes * 60_000);

describe("session validity", () => {
  it("is active right after login and until 30 idle minutes have passed", () => {
    expect(sessionState(fresh, at(0), limits)).toBe("active");
    expect(sessionState(fresh, at(29.99), limits)).toBe("active");
    expect(sessionState(fresh, at(30), limits)).toBe("idle_expired");
  });

  it("activity keeps it alive, but never beyond 12 hours", () => {
    const busy = { ...fresh, lastSeenAt: at(12 * 60 - 1) };
    expect(sessionState(busy, at(12 * 60 - 0.5), limits)).toBe("active");
    expect(sessionState(busy, at(12 * 60), limits)).toBe("expired");
  });

  it("a revoked session is dead at once, whatever the clock says", () => {
    expect(sessionState({ ...fresh, revokedAt: at(1) }, at(2), limits)).toBe("revoked");
  });

  it("honours configured limits", () => {
    const short = { idleMinutes: 5, absoluteHours: 1 };
    const s = { ...fresh, absoluteExpiresAt: absoluteExpiry(login, short) };
    expect(sessionState(s, at(4), short)).toBe("active");
    expect(sessionState(s, at(5), short)).toBe("idle_expired");
    expect(sessionState({ ...s, lastSeenAt: at(59) }, at(60), short)).toBe("expired");
  });

  it("touches last-seen at most once a minute", () => {
    expect(shouldTouch(fresh, at(0.5))).toBe(false);
    expect(shouldTouch(fresh, at(1))).toBe(true);
  });
});
