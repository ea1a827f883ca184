import { describe, expect, it } from "vitest";
import { safeReturnTo } from "./return-to";

describe("returnTo after login", () => {
  it.each(["/besok", "/besok/3f0c", "/l/abc?x=1", "/installningar#push"])("keeps our own path %s", (p) => {
    expect(safeReturnTo(p)).toBe(p);
  });

  it.each([
    "https://evil.example",
    "//evil.example/x",
    "/\\evil.example",
    "javascript:alert(1)",
    "besok",
    "",
    "/api/auth/signout",
    "/login",
    "/x\n",
    42,
    null,
  ])("refuses %s", (p) => {
    expect(safeReturnTo(p)).toBe("/besok");
  });
});
