import "server-only";
import { localeCookie, type Locale } from "@/i18n/locales";

/**
 * The language choice as a cookie. Not HttpOnly: it is a preference, not a secret, and the service
 * worker reads it (Cookie Store API) to open the prerendered shell in the patient's language
 * without asking the server (sw/sw.ts).
 */
export function languageCookie(lang: Locale) {
  return {
    name: localeCookie,
    value: lang,
    path: "/",
    sameSite: "lax" as const,
    httpOnly: false,
    secure: process.env.NODE_ENV === "production" && (process.env.PUBLIC_BASE_URL ?? "").startsWith("https://"),
    maxAge: 60 * 60 * 24 * 365,
  };
}
