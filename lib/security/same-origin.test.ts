import { describe, expect, it } from "vitest";
import { isSameOrigin, isSameOriginRequest } from "./same-origin";

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

describe("the same check on a node request (our server's write routes)", () => {
  it("accepts the Host's own origin and our public one, refuses others", () => {
    expect(isSameOriginRequest({ host: "127.0.0.1:3701", origin: "http://127.0.0.1:3701" })).toBe(true);
    expect(isSameOriginRequest({ host: "app.internal", origin: "http://localhost:3000" })).toBe(true);
    expect(
      isSameOriginRequest({ host: "vardtid.example", "x-forwarded-proto": "https", origin: "https://vardtid.example" }),
    ).toBe(true);
    expect(isSameOriginRequest({ host: "vardtid.example", origin: "https://vardtid.example" })).toBe(false);
    expect(isSameOriginRequest({ host: "127.0.0.1:3701", origin: "https://evil.example" })).toBe(false);
    expect(isSameOriginRequest({ host: "127.0.0.1:3701", "sec-fetch-site": "cross-site" })).toBe(false);
    expect(isSameOriginRequest({ host: "127.0.0.1:3701", origin: "null" })).toBe(false);
    expect(isSameOriginRequest({ host: "127.0.0.1:3701", origin: "null", "sec-fetch-site": "same-origin" })).toBe(true);
    expect(isSameOriginRequest({ host: "bad host/", origin: "http://bad host" })).toBe(false);
  });
});
