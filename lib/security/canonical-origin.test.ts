import { describe, expect, it } from "vitest";
import { canonicalLoopbackRedirect } from "./canonical-origin";

const demo = { publicBaseUrl: "http://localhost:3000", production: false };

describe("canonicalLoopbackRedirect", () => {
  it("sends 127.0.0.1 and [::1] to the configured localhost, keeping path and query", () => {
    expect(
      canonicalLoopbackRedirect({ ...demo, host: "127.0.0.1:3000", pathAndQuery: "/login?returnTo=%2Fbesok" }),
    ).toBe("http://localhost:3000/login?returnTo=%2Fbesok");
    expect(canonicalLoopbackRedirect({ ...demo, host: "[::1]:3000", pathAndQuery: "/" })).toBe(
      "http://localhost:3000/",
    );
  });

  it("and localhost to 127.0.0.1 when that is the configured address", () => {
    expect(
      canonicalLoopbackRedirect({
        publicBaseUrl: "http://127.0.0.1:3000",
        production: false,
        host: "localhost:3000",
        pathAndQuery: "/besok",
      }),
    ).toBe("http://127.0.0.1:3000/besok");
  });

  it("leaves the canonical address, other ports and non-loopback hosts alone", () => {
    expect(canonicalLoopbackRedirect({ ...demo, host: "localhost:3000", pathAndQuery: "/" })).toBeNull();
    expect(canonicalLoopbackRedirect({ ...demo, host: "127.0.0.1:3001", pathAndQuery: "/" })).toBeNull();
    expect(canonicalLoopbackRedirect({ ...demo, host: "evil.example:3000", pathAndQuery: "/" })).toBeNull();
    expect(canonicalLoopbackRedirect({ ...demo, host: null, pathAndQuery: "/" })).toBeNull();
    expect(canonicalLoopbackRedirect({ ...demo, host: "bad host", pathAndQuery: "/" })).toBeNull();
  });

  it("never redirects in production: there is exactly one origin", () => {
    expect(
      canonicalLoopbackRedirect({
        publicBaseUrl: "https://vardtid.example.se",
        production: true,
        host: "127.0.0.1",
        pathAndQuery: "/",
      }),
    ).toBeNull();
    expect(
      canonicalLoopbackRedirect({
        publicBaseUrl: "http://localhost:3000",
        production: true,
        host: "127.0.0.1:3000",
        pathAndQuery: "/",
      }),
    ).toBeNull();
  });

  it("cannot be steered to another host by the path", () => {
    expect(canonicalLoopbackRedirect({ ...demo, host: "127.0.0.1:3000", pathAndQuery: "//evil.example/x" })).toBe(
      "http://localhost:3000//evil.example/x",
    );
  });
});
