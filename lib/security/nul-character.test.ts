import { describe, expect, it } from "vitest";
import { containsNul } from "./nul-character";

describe("containsNul", () => {
  it("finds NUL in strings, keys and nested values", () => {
    expect(containsNul("a\u0000b")).toBe(true);
    expect(containsNul({ endpoint: "\u0000" })).toBe(true);
    expect(containsNul({ "k\u0000": "v" })).toBe(true);
    expect(containsNul({ a: [{ b: ["x", "y\u0000"] }] })).toBe(true);
  });

  it("passes ordinary input, other control characters and non-strings", () => {
    expect(containsNul({ endpoint: "https://push.example/abc", n: 3, ok: true, none: null })).toBe(false);
    expect(containsNul("tab\tnew\nline ../../etc/passwd ' OR 1=1 --")).toBe(false);
    expect(containsNul(undefined)).toBe(false);
  });
});
