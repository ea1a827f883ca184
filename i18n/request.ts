import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { isLocale, localeCookie } from "./locales";
import { negotiateLocale } from "./negotiate";
import { messagesFor } from "./messages";

// The patient's own choice (a cookie set by the language chooser) wins; before they have chosen,
// the browser's Accept-Language picks the closest of our languages, and Swedish otherwise.
export default getRequestConfig(async () => {
  const chosen = (await cookies()).get(localeCookie)?.value;
  const locale = isLocale(chosen) ? chosen : negotiateLocale((await headers()).get("accept-language"));
  return { locale, messages: messagesFor(locale), timeZone: "Europe/Stockholm" };
});
