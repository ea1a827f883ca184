import { describe, expect, it } from "vitest";
import { isSameOrigin } from "./same-origin";

// Demo mode: env() fills in PUBLIC_BASE_URL (http://localhost:3000) and keys.
process.env.VARDTID_MODE = "demo";

const post = (headers: Record<string, string>) =>
  new Request("http://localhost:3000/api/logout", { method: "POST", headers });

describe("same-origin check for writes", () => {
  it("accepts our own origin, and Origin: null vouched for by Fetch Metadata", () => {
    expect(isSameOrigin(post({ origin: "http://localhost:3000" }))).toBe(true);
    expect(isSameOrigin(post({ origin: "null", "sec-fetch-site": "same-origin" }))).toBe(true);
  });

  it("refuses a foreign origin", () => {
    expect(isSameOrigin(post({ origin: "https://evil.example" }))).toBe(false);
    expect(isSameOrigin(post({ origin: "null", "sec-fetch-site": "cross-site" }))).toBe(false);
    expect(isSameOrigin(post({ "sec-fetch-site": "cross-site" }))).toBe(false);
  });

  it("finding 12: refuses Origin: null without Fetch Metadata (sandboxed frames send it)", () => {
    expect(isSameOrigin(post({ origin: "null" }))).toBe(false);
    expect(isSameOrigin(post({ origin: "null", "sec-fetch-site": "none" }))).toBe(false);
  });
});
