import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeReturnTo } from "./return-to";

describe("returnTo after login", () => {
  it.each(["/besok", "/besok/3f0c", "/l/abc?x=1", "/installningar#push", "/besok/./a", "/besok/x/../y"])(
    "keeps our own path %s (normalised)",
    (p) => {
      expect(safeReturnTo(p)).toBe(
        new URL(p, "https://x.invalid").pathname +
          new URL(p, "https://x.invalid").search +
          new URL(p, "https://x.invalid").hash,
      );
    },
  );

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
    // Finding 1: values that look like paths but normalise to "//host" (protocol-relative).
    "/.//evil.example/phish",
    "/%2e//evil.example/phish",
    "/%2E//evil.example",
    "/a/..//evil.example/phish",
    "/..//evil.example",
    "/././/evil.example",
    "/a/b/../..//evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5cevil.example",
    "/\t/evil.example",
    "/ /evil.example",
  ])("refuses %s", (p) => {
    expect(safeReturnTo(p)).toBe("/besok");
  });

  it("never returns anything a browser would resolve to another origin (generated paths)", () => {
    const piece = fc.constantFrom(
      "/",
      ".",
      "..",
      "%2e",
      "%2f",
      "%5c",
      "\\",
      "evil.example",
      "a",
      "?",
      "#",
      "@",
      ":",
      "%",
      "\t",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const out = safeReturnTo("/" + parts.join(""));
        const resolved = new URL(out, "https://vardtid.example");
        expect(resolved.origin).toBe("https://vardtid.example");
        expect(out.startsWith("//")).toBe(false);
        expect(out.includes("\\")).toBe(false);
        // Checking the output again changes nothing: it is already normalised.
        expect(safeReturnTo(out)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });
});
