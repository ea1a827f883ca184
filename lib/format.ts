// Dates as patients read them: in the patient's language, always in the clinic's time zone
// (Europe/Stockholm), whatever zone the server or the phone runs in. Every language gets the
// Gregorian calendar, Latin digits and a 24-hour clock (see intlTag), so a time reads the same
// on the page, in the SMS and at the clinic. The one place for the rules:
// - a visit's full date has weekday, day, month and year ("måndag 7 december 2026 kl. 09:20"),
//   unless it is today or tomorrow, which say so ("idag, tisdag 1 december kl. 18:45");
// - short dates (receipts) get the year only when it is not this year ("24 nov 2025 kl. 10:32");
// - Swedish month and weekday names are lowercase; only a label standing alone starts with a
//   capital (capitalizeFirst), never by CSS, which would capitalise every word;
// - a week is its ISO number and its dates ("vecka 50, 7–13 december").
import { intlTag, localeDir, type Locale } from "@/i18n/locales";

export type { Locale };

const STOCKHOLM = "Europe/Stockholm";

// The word between the day and the time: "tisdag 3 december kl. 09:40".
const AT: Record<Locale, string> = {
  sv: "kl.",
  en: "at",
  ar: "الساعة",
  fa: "ساعت",
  so: "saacadda",
  fi: "klo",
};

/** "idag"/"imorgon" in each language, lowercase (they start a label only through capitalizeFirst). */
const RELATIVE: Record<Locale, Record<RelativeDay, string>> = {
  sv: { today: "idag", tomorrow: "imorgon" },
  en: { today: "today", tomorrow: "tomorrow" },
  ar: { today: "اليوم", tomorrow: "غدًا" },
  fa: { today: "امروز", tomorrow: "فردا" },
  so: { today: "maanta", tomorrow: "berri" },
  fi: { today: "tänään", tomorrow: "huomenna" },
};
const COMMA: Record<Locale, string> = { sv: ", ", en: ", ", ar: "، ", fa: "، ", so: ", ", fi: ", " };

export type RelativeDay = "today" | "tomorrow";

type Style = "date" | "day" | "time" | "short" | "shortYear" | "key" | "range" | "rangeYear";
const OPTIONS: Record<Style, Intl.DateTimeFormatOptions> = {
  date: { weekday: "long", day: "numeric", month: "long", year: "numeric" },
  day: { weekday: "long", day: "numeric", month: "long" },
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  short: { day: "numeric", month: "short" },
  shortYear: { day: "numeric", month: "short", year: "numeric" },
  key: { year: "numeric", month: "2-digit", day: "2-digit" },
  range: { day: "numeric", month: "long" },
  rangeYear: { day: "numeric", month: "long", year: "numeric" },
};

// Building an Intl.DateTimeFormat costs far more than using one (it showed up as a tenth of the
// server's CPU per page): keep one per locale, zone and style for the life of the process.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: Locale | "key", timeZone: string, style: Style): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    // "key" is the calendar day as 2026-12-01 (en-CA writes ISO order), for comparing days.
    f = new Intl.DateTimeFormat(locale === "key" ? "en-CA" : intlTag(locale), { ...OPTIONS[style], timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** The calendar day of `date` in `timeZone`, as days since 1970-01-01 (DST cannot shift it). */
function dayNumber(date: Date, timeZone: string): number {
  const parts = formatter("key", timeZone, "key").formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get("year"), get("month") - 1, get("day")) / 86_400_000;
}

function yearOf(date: Date, timeZone: string): number {
  const parts = formatter("key", timeZone, "key").formatToParts(date);
  return Number(parts.find((p) => p.type === "year")!.value);
}

/** "today" or "tomorrow" when `date` falls on that calendar day in `timeZone`, else null. */
export function relativeDay(date: Date, now: Date, timeZone = STOCKHOLM): RelativeDay | null {
  const diff = dayNumber(date, timeZone) - dayNumber(now, timeZone);
  return diff === 0 ? "today" : diff === 1 ? "tomorrow" : null;
}

/** A label standing alone starts with a capital ("Idag, …", "Onsdag 2 december"); only the first letter. */
export function capitalizeFirst(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

export function formatVisitDate(date: Date, locale: Locale, timeZone = STOCKHOLM): string {
  return formatter(locale, timeZone, "date").format(date);
}

/** A date without weekday or time, as a document's date: "1 december 2026". */
export function formatDate(date: Date, locale: Locale, timeZone = STOCKHOLM): string {
  return formatter(locale, timeZone, "rangeYear").format(date);
}

/** Weekday and date without the year, where the year is plain from around it: "onsdag 2 december". */
export function formatDay(date: Date, locale: Locale, timeZone = STOCKHOLM): string {
  return formatter(locale, timeZone, "day").format(date);
}

export function formatTime(date: Date, locale: Locale, timeZone = STOCKHOLM): string {
  return formatter(locale, timeZone, "time").format(date);
}

/**
 * "tisdag 3 december 2030 kl. 09:40" / "Tuesday 3 December 2030 at 09:40". Given `now`, a visit
 * today or tomorrow says so: "idag, tisdag 1 december kl. 18:45" / "tomorrow, Wednesday 2 December at 09:20".
 */
export function formatVisit(date: Date, locale: Locale, timeZone = STOCKHOLM, now?: Date): string {
  const relative = now ? relativeDay(date, now, timeZone) : null;
  const day = relative
    ? `${RELATIVE[locale][relative]}${COMMA[locale]}${formatDay(date, locale, timeZone)}`
    : formatVisitDate(date, locale, timeZone);
  return `${day} ${AT[locale]} ${formatTime(date, locale, timeZone)}`;
}

/** Short form for receipts: "24 nov kl. 10:32"; with the year when it is not `now`'s: "24 nov 2025 kl. 10:32". */
export function formatShort(date: Date, locale: Locale, timeZone = STOCKHOLM, now?: Date): string {
  const withYear = now !== undefined && yearOf(date, timeZone) !== yearOf(now, timeZone);
  // Swedish abbreviations end in a period ("nov."); Finnish dates ("24.11.") keep theirs.
  const raw = formatter(locale, timeZone, withYear ? "shortYear" : "short").format(date);
  const day = locale === "sv" ? raw.replace(".", "") : raw;
  return `${day} ${AT[locale]} ${formatTime(date, locale, timeZone)}`;
}

/** The ISO 8601 week number of the calendar day `date` falls on in `timeZone`. */
export function isoWeek(date: Date, timeZone = STOCKHOLM): number {
  const day = dayNumber(date, timeZone);
  const weekday = (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday: Monday = 0
  const thursday = day - weekday + 3;
  const yearStart = Date.UTC(new Date(thursday * 86_400_000).getUTCFullYear(), 0, 1) / 86_400_000;
  return Math.floor((thursday - yearStart) / 7) + 1;
}

/**
 * The week that starts on `monday` (any instant on that day): its ISO number and its dates,
 * "7–13 december"; with years where the week is not all in `now`'s year ("28 december 2026 – 3 januari 2027").
 */
export function formatWeek(
  monday: Date,
  locale: Locale,
  timeZone = STOCKHOLM,
  now = new Date(),
): { week: number; dates: string } {
  // Midday, so a summer-time change inside the week cannot move the Sunday to Saturday or Monday.
  const first = new Date(monday.getTime() + 12 * 3_600_000);
  const last = new Date(first.getTime() + 6 * 86_400_000);
  const thisYear = yearOf(now, timeZone);
  const withYear = yearOf(first, timeZone) !== thisYear || yearOf(last, timeZone) !== thisYear;
  return {
    week: isoWeek(first, timeZone),
    dates: formatter(locale, timeZone, withYear ? "rangeYear" : "range").formatRange(first, last),
  };
}

export function telHref(phone: string): string {
  // 018-611 00 01 → tel:+4618611001 (Swedish national numbers to E.164 for the dialler)
  const digits = phone.replace(/[^\d+]/g, "");
  return `tel:${digits.startsWith("0") ? `+46${digits.slice(1)}` : digits}`;
}

/**
 * A phone number or other digit groups that must read left to right inside a right-to-left
 * sentence: "018-611 00 01" would otherwise show its groups in reverse order ("01 00 611-018").
 * Wrapped in Unicode isolates (LRI … PDI), so it works in text, attributes and accessible names.
 * Left-to-right languages get the text unchanged.
 */
export function ltrIsolate(text: string, locale: Locale): string {
  return localeDir(locale) === "rtl" ? `\u2066${text}\u2069` : text;
}
