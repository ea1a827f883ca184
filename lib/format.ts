// Dates as patients read them: in the patient's language, always in the clinic's time zone
// (Europe/Stockholm), whatever zone the server or the phone runs in. Every language gets the
// Gregorian calendar, Latin digits and a 24-hour clock (see intlTag), so a time reads the same
// on the page, in the SMS and at the clinic.
import { intlTag, localeDir, type Locale } from "@/i18n/locales";

export type { Locale };

// The word between the day and the time: "tisdag 3 december kl. 09:40".
const AT: Record<Locale, string> = {
  sv: "kl.",
  en: "at",
  ar: "الساعة",
  fa: "ساعت",
  so: "saacadda",
  fi: "klo",
};

// Building an Intl.DateTimeFormat costs far more than using one (it showed up as a tenth of the
// server's CPU per page): keep one per locale, zone and style for the life of the process.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: Locale, timeZone: string, style: "date" | "time" | "short"): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === "date"
        ? { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone }
        : style === "time"
          ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }
          : { day: "numeric", month: "short", timeZone };
    f = new Intl.DateTimeFormat(intlTag(locale), options);
    formatters.set(key, f);
  }
  return f;
}

export function formatVisitDate(date: Date, locale: Locale, timeZone = "Europe/Stockholm"): string {
  return formatter(locale, timeZone, "date").format(date);
}

export function formatTime(date: Date, locale: Locale, timeZone = "Europe/Stockholm"): string {
  return formatter(locale, timeZone, "time").format(date);
}

/** "tisdag 3 december 2030 kl. 09:40" / "Tuesday 3 December 2030 at 09:40" */
export function formatVisit(date: Date, locale: Locale, timeZone = "Europe/Stockholm"): string {
  const day = formatVisitDate(date, locale, timeZone);
  return `${day} ${AT[locale]} ${formatTime(date, locale, timeZone)}`;
}

/** Short form for receipts: "24 nov kl. 10:32" */
export function formatShort(date: Date, locale: Locale, timeZone = "Europe/Stockholm"): string {
  // Swedish abbreviations end in a period ("nov."); Finnish dates ("24.11.") keep theirs.
  const raw = formatter(locale, timeZone, "short").format(date);
  const day = locale === "sv" ? raw.replace(".", "") : raw;
  return `${day} ${AT[locale]} ${formatTime(date, locale, timeZone)}`;
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
