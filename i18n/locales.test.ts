import { describe, expect, it } from "vitest";
import { intlTag, localeDir, locales, localeNames } from "./locales";
import { negotiateLocale } from "./negotiate";

describe("negotiateLocale", () => {
  it.each([
    ["ar-SE,ar;q=0.9,sv;q=0.8", "ar"],
    ["fa-IR", "fa"],
    ["so", "so"],
    ["fi-FI,fi;q=0.9,en-US;q=0.8", "fi"],
    ["en-US,en;q=0.9", "en"],
    ["sv-SE", "sv"],
    // q-values decide, not the order in the header.
    ["de;q=0.5,en;q=0.4,fa;q=0.9", "fa"],
    // A language we do not have falls through to the next one the browser accepts.
    ["de-DE,de;q=0.9,so;q=0.5", "so"],
  ])("%s → %s", (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });

  it.each([null, undefined, "", "*", "de-DE,de;q=0.9", ";;;,q=x", "x".repeat(2000)])(
    "falls back to Swedish for %j",
    (header) => {
      expect(negotiateLocale(header)).toBe("sv");
    },
  );
});

describe("locale facts", () => {
  it("Arabic and Persian are right to left, the others left to right", () => {
    expect(locales.filter((l) => localeDir(l) === "rtl")).toEqual(["ar", "fa"]);
  });

  it("every language has its own name", () => {
    expect(new Set(Object.values(localeNames)).size).toBe(locales.length);
  });

  it("formats visit times the same way in every language: Gregorian day, 24-hour clock, Latin digits", () => {
    const at = new Date("2030-12-03T13:20:00Z");
    for (const l of locales) {
      const time = new Intl.DateTimeFormat(intlTag(l), {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: "Europe/Stockholm",
      }).format(at);
      expect(time.replace(".", ":")).toBe("14:20");
      const day = new Intl.DateTimeFormat(intlTag(l), { day: "numeric", timeZone: "Europe/Stockholm" }).format(at);
      expect(day).toBe("3");
    }
  });
});
