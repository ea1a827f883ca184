import { describe, expect, it } from "vitest";
import { formatShort, formatVisit, telHref } from "./format";

describe("patient-facing formats", () => {
  it("shows Swedish weekday, date and time in Stockholm time, across summer time", () => {
    expect(formatVisit(new Date("2026-12-01T08:40:00Z"), "sv")).toBe("tisdag 1 december 2026 kl. 09:40");
    expect(formatVisit(new Date("2026-06-02T07:40:00Z"), "sv")).toBe("tisdag 2 juni 2026 kl. 09:40");
    expect(formatVisit(new Date("2026-12-01T08:40:00Z"), "en")).toBe("Tuesday, 1 December 2026 at 09:40");
  });

  it("writes receipts short", () => {
    expect(formatShort(new Date("2026-11-24T09:32:00Z"), "sv")).toBe("24 nov kl. 10:32");
  });

  it("dials Swedish numbers in international form", () => {
    expect(telHref("018-611 00 01")).toBe("tel:+46186110001");
  });
});
