import { describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { sessionIdFromCookie } from "./session-cookie";

const secret = "x".repeat(40);

describe("session id from the session cookie", () => {
  it("reads the session id of a valid token, and again from memory", async () => {
    const token = await encode({ token: { sid: "abc" }, secret, maxAge: 3600 });
    expect(await sessionIdFromCookie(token, secret)).toBe("abc");
    expect(await sessionIdFromCookie(token, secret)).toBe("abc");
  });

  it("refuses a token made with another secret, a tampered one, and an expired one", async () => {
    const foreign = await encode({ token: { sid: "abc" }, secret: "y".repeat(40), maxAge: 3600 });
    expect(await sessionIdFromCookie(foreign, secret)).toBeNull();
    const token = await encode({ token: { sid: "abc" }, secret, maxAge: 3600 });
    expect(await sessionIdFromCookie(`${token.slice(0, -4)}AAAA`, secret)).toBeNull();
    const shortLived = await encode({ token: { sid: "def" }, secret, maxAge: 60 });
    expect(await sessionIdFromCookie(shortLived, secret, Date.now() + 120_000)).toBeNull();
  });

  it("forgets a remembered token once it has expired", async () => {
    const token = await encode({ token: { sid: "ghi" }, secret, maxAge: 60 });
    expect(await sessionIdFromCookie(token, secret)).toBe("ghi");
    expect(await sessionIdFromCookie(token, secret, Date.now() + 61_000)).toBeNull();
  });
});
