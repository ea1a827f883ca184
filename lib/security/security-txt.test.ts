import { describe, expect, it } from "vitest";
import { securityTxt } from "./security-txt";

describe("security.txt (RFC 9116)", () => {
  it("has the required fields and expires less than a year ahead", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const text = securityTxt({ baseUrl: "https://vardtid.example.se", now });
    const fields = Object.fromEntries(
      text
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
    );
    expect(fields.Contact).toBe("mailto:security@vardtid.example.se");
    expect(fields.Canonical).toBe("https://vardtid.example.se/.well-known/security.txt");
    // RFC 9116 §2.5.5: Expires is an RFC 3339 date-time, recommended less than a year in the future.
    expect(fields.Expires).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const expires = new Date(fields.Expires!);
    expect(expires.getTime()).toBeGreaterThan(now.getTime());
    expect(expires.getTime() - now.getTime()).toBeLessThan(365 * 24 * 3600 * 1000);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("uses the configured contact", () => {
    expect(securityTxt({ baseUrl: "https://a.se", contact: "https://a.se/report", now: new Date() })).toContain(
      "Contact: https://a.se/report\n",
    );
  });
});
