import { describe, expect, it } from "vitest";
import {
  capitalizeFirst,
  formatDate,
  formatDay,
  formatShort,
  formatVisit,
  formatWeek,
  isoWeek,
  ltrIsolate,
  relativeDay,
  telHref,
} from "./format";

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

// The rules in one place (lib/format.ts), with "now" injected: Stockholm calendar days, not UTC's
// and not the server's, and the same answer across the summer-time changes.
describe("near visits, years and weeks", () => {
  // Tuesday 1 December 2026, 14:45 in Stockholm.
  const now = new Date("2026-12-01T13:45:00Z");

  it("says today and tomorrow by the Stockholm calendar day, in every language", () => {
    expect(formatVisit(new Date("2026-12-01T17:45:00Z"), "sv", undefined, now)).toBe(
      "idag, tisdag 1 december kl. 18:45",
    );
    expect(formatVisit(new Date("2026-12-02T08:20:00Z"), "sv", undefined, now)).toBe(
      "imorgon, onsdag 2 december kl. 09:20",
    );
    expect(formatVisit(new Date("2026-12-02T08:20:00Z"), "en", undefined, now)).toBe(
      "tomorrow, Wednesday 2 December at 09:20",
    );
    expect(formatVisit(new Date("2026-12-01T17:45:00Z"), "ar", undefined, now)).toMatch(/^اليوم، /);
    expect(formatVisit(new Date("2026-12-01T17:45:00Z"), "fa", undefined, now)).toMatch(/^امروز، /);
    expect(formatVisit(new Date("2026-12-02T08:20:00Z"), "so", undefined, now)).toMatch(/^berri, /);
    expect(formatVisit(new Date("2026-12-02T08:20:00Z"), "fi", undefined, now)).toMatch(/^huomenna, /);
    // 23:30 UTC on 1 December is already 2 December in Stockholm: tomorrow, not today.
    expect(relativeDay(new Date("2026-12-01T23:30:00Z"), now)).toBe("tomorrow");
    // 23:30 on 2 December in Stockholm is still tomorrow; 00:10 on 3 December is not.
    expect(relativeDay(new Date("2026-12-02T22:30:00Z"), now)).toBe("tomorrow");
    expect(relativeDay(new Date("2026-12-02T23:10:00Z"), now)).toBeNull();
    expect(relativeDay(new Date("2026-11-30T12:00:00Z"), now)).toBeNull();
  });

  it("gives later visits weekday, date and year, with lowercase Swedish names", () => {
    expect(formatVisit(new Date("2026-12-07T08:20:00Z"), "sv", undefined, now)).toBe(
      "måndag 7 december 2026 kl. 09:20",
    );
    expect(formatVisit(new Date("2027-01-04T08:20:00Z"), "sv", undefined, now)).toBe("måndag 4 januari 2027 kl. 09:20");
    expect(formatDay(new Date("2026-12-02T08:20:00Z"), "sv")).toBe("onsdag 2 december");
    expect(capitalizeFirst(formatDay(new Date("2026-12-02T08:20:00Z"), "sv"))).toBe("Onsdag 2 december");
    expect(formatDate(new Date("2026-12-01T12:00:00Z"), "sv")).toBe("1 december 2026");
  });

  it("keeps the day right across the summer-time changes", () => {
    // Sunday 29 March 2026: clocks go 02:00 → 03:00. Saturday 23:30 UTC is Sunday 00:30 CET.
    const saturdayNoon = new Date("2026-03-28T11:00:00Z");
    expect(relativeDay(new Date("2026-03-28T23:30:00Z"), saturdayNoon)).toBe("tomorrow");
    expect(relativeDay(new Date("2026-03-29T21:59:00Z"), saturdayNoon)).toBe("tomorrow"); // 23:59 CEST
    expect(relativeDay(new Date("2026-03-29T22:01:00Z"), saturdayNoon)).toBeNull(); // 00:01 Monday
    // Sunday 25 October 2026: 03:00 → 02:00.
    const octSaturday = new Date("2026-10-24T10:00:00Z");
    expect(relativeDay(new Date("2026-10-25T22:59:00Z"), octSaturday)).toBe("tomorrow"); // 23:59 CET
    expect(relativeDay(new Date("2026-10-25T23:01:00Z"), octSaturday)).toBeNull();
    expect(formatVisit(new Date("2026-10-25T08:00:00Z"), "sv", undefined, octSaturday)).toBe(
      "imorgon, söndag 25 oktober kl. 09:00",
    );
  });

  it("adds the year to a short date only when it is not this year", () => {
    expect(formatShort(new Date("2026-11-24T09:32:00Z"), "sv", undefined, now)).toBe("24 nov kl. 10:32");
    expect(formatShort(new Date("2025-11-24T09:32:00Z"), "sv", undefined, now)).toBe("24 nov 2025 kl. 10:32");
    expect(formatShort(new Date("2025-11-24T09:32:00Z"), "en", undefined, now)).toBe("24 Nov 2025 at 10:32");
  });

  it("labels a week with its ISO number and dates", () => {
    // Monday 7 December 2026, 00:00 in Stockholm.
    expect(formatWeek(new Date("2026-12-06T23:00:00Z"), "sv", undefined, now)).toEqual({
      week: 50,
      dates: "7–13 december",
    });
    expect(formatWeek(new Date("2026-11-29T23:00:00Z"), "sv", undefined, now)).toEqual({
      week: 49,
      dates: "30 november–6 december",
    });
    // Across the new year, and a week next year: with years.
    expect(formatWeek(new Date("2026-12-27T23:00:00Z"), "sv", undefined, now)).toEqual({
      week: 53,
      dates: "28 december 2026–3 januari 2027",
    });
    expect(formatWeek(new Date("2027-01-10T23:00:00Z"), "en", undefined, now)).toEqual({
      week: 2,
      dates: "11\u2009–\u200917 January 2027", // thin spaces, as Intl writes English ranges
    });
    // The week summer time starts in (Monday 23 March 2026 00:00 CET).
    expect(formatWeek(new Date("2026-03-22T23:00:00Z"), "sv", undefined, new Date("2026-03-20T12:00:00Z"))).toEqual({
      week: 13,
      dates: "23–29 mars",
    });
    expect(isoWeek(new Date("2027-01-01T11:00:00Z"))).toBe(53);
    expect(isoWeek(new Date("2027-01-04T11:00:00Z"))).toBe(1);
  });
});
