// The languages Vårdtid speaks. Swedish first; English; Arabic and Persian (right to left),
// Somali and Finnish (a national minority language) for patients who read those better.
// Pure module without dependencies: the client bundle imports it too (negotiation lives in
// negotiate.ts, server-only in practice).

export const locales = ["sv", "en", "ar", "fa", "so", "fi"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "sv";
export const localeCookie = "NEXT_LOCALE";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

/** Each language in its own name, as the language chooser offers it. */
export const localeNames: Record<Locale, string> = {
  sv: "Svenska",
  en: "English",
  ar: "العربية",
  fa: "فارسی",
  so: "Soomaali",
  fi: "Suomi",
};

const rtl: ReadonlySet<Locale> = new Set(["ar", "fa"]);

export function localeDir(locale: Locale): "ltr" | "rtl" {
  return rtl.has(locale) ? "rtl" : "ltr";
}

// The tag Intl formats dates with. Dates are always Gregorian with Latin digits and a 24-hour
// clock (set where the formatters are built), so "14:20" on the page is the same "14:20" as in
// the SMS, on the clinic's letter and on the waiting-room screen. Persian would otherwise get the
// Solar Hijri calendar and Arabic a 12-hour clock, which is how a patient comes on the wrong day.
const intlTags: Record<Locale, string> = {
  sv: "sv-SE",
  en: "en-GB",
  ar: "ar-u-ca-gregory-nu-latn",
  fa: "fa-u-ca-gregory-nu-latn",
  so: "so-SO",
  fi: "fi-FI",
};

export function intlTag(locale: Locale): string {
  return intlTags[locale];
}
