// Dates as patients read them: Swedish format by default, always in the clinic's time zone
// (Europe/Stockholm), whatever zone the server or the phone runs in.
import type { Locale } from "@/i18n/locales";

export type { Locale };

const tag = (locale: Locale) => (locale === "en" ? "en-GB" : "sv-SE");

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
          ? { hour: "2-digit", minute: "2-digit", timeZone }
          : { day: "numeric", month: "short", timeZone };
    f = new Intl.DateTimeFormat(tag(locale), options);
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
  return `${day} ${locale === "en" ? "at" : "kl."} ${formatTime(date, locale, timeZone)}`;
}

/** Short form for receipts: "24 nov kl. 10:32" */
export function formatShort(date: Date, locale: Locale, timeZone = "Europe/Stockholm"): string {
  const day = formatter(locale, timeZone, "short").format(date).replace(".", "");
  return `${day} ${locale === "en" ? "at" : "kl."} ${formatTime(date, locale, timeZone)}`;
}

export function telHref(phone: string): string {
  // 018-611 00 01 → tel:+4618611001 (Swedish national numbers to E.164 for the dialler)
  const digits = phone.replace(/[^\d+]/g, "");
  return `tel:${digits.startsWith("0") ? `+46${digits.slice(1)}` : digits}`;
}
