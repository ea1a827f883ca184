// First visit: the browser's Accept-Language picks our language (negotiator parses the header and
// its q-values, intl-localematcher finds the closest tag, as next-intl's own middleware does).
import { match } from "@formatjs/intl-localematcher";
import Negotiator from "negotiator";
import { defaultLocale, isLocale, locales, type Locale } from "./locales";

/**
 * The best of our languages for a browser's Accept-Language header (first visit, before the
 * patient chose one), or Swedish when none fits. A header that does not parse counts as absent.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage || acceptLanguage.length > 1000) return defaultLocale;
  try {
    const requested = new Negotiator({ headers: { "accept-language": acceptLanguage } })
      .languages()
      .filter((tag) => tag !== "*");
    if (requested.length === 0) return defaultLocale;
    const best = match(requested, locales, defaultLocale);
    return isLocale(best) ? best : defaultLocale;
  } catch {
    return defaultLocale;
  }
}

/** The request's language: the patient's own choice (the language cookie) wins, else the browser's. */
export function requestLocale(chosen: string | null | undefined, acceptLanguage: string | null | undefined): Locale {
  return isLocale(chosen) ? chosen : negotiateLocale(acceptLanguage);
}
