import { describe, expect, it } from "vitest";
import { formatShort, formatVisit, ltrIsolate, telHref } from "./format";

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

describe("the new languages", () => {
  const at = new Date("2030-12-03T13:20:00Z");
  it("keep the Gregorian day and a 24-hour clock with Latin digits", () => {
    expect(formatVisit(at, "ar")).toBe("الثلاثاء، 3 ديسمبر 2030 الساعة 14:20");
    expect(formatVisit(at, "fa")).toBe("سه‌شنبه 3 دسامبر 2030 ساعت 14:20");
    expect(formatVisit(at, "fi")).toBe("tiistaina 3. joulukuuta 2030 klo 14.20");
    expect(formatVisit(at, "so")).toMatch(/3, 2030 saacadda 14:20$/);
  });

  it("writes receipts short without dropping the Finnish date's periods", () => {
    expect(formatShort(at, "fi")).toBe("3.12. klo 14.20");
    expect(formatShort(at, "ar")).toBe("3 ديسمبر الساعة 14:20");
  });
});

describe("ltrIsolate", () => {
  it("keeps a phone number's digit groups in order inside right-to-left text", () => {
    expect(ltrIsolate("018-611 00 01", "ar")).toBe("\u2066018-611 00 01\u2069");
    expect(ltrIsolate("018-611 00 01", "fa")).toBe("\u2066018-611 00 01\u2069");
  });
  it("leaves left-to-right languages alone", () => {
    for (const l of ["sv", "en", "so", "fi"] as const) expect(ltrIsolate("018-611 00 01", l)).toBe("018-611 00 01");
  });
});
