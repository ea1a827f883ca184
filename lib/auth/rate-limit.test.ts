import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit";

describe("rate limiter", () => {
  it("allows the limit per window, then says when to retry", () => {
    let now = 0;
    const limiter = new RateLimiter(3, 60_000, () => now);
    expect([limiter.take("ip"), limiter.take("ip"), limiter.take("ip")].every((r) => r.ok)).toBe(true);
    expect(limiter.take("ip")).toEqual({ ok: false, retryAfterSeconds: 60 });
    now = 45_000;
    expect(limiter.take("ip")).toEqual({ ok: false, retryAfterSeconds: 15 });
    expect(limiter.take("other-ip").ok).toBe(true);
    now = 60_000;
    expect(limiter.take("ip").ok).toBe(true);
  });
});
