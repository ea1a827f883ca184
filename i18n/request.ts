import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { isLocale, localeCookie } from "./locales";
import { requestLocale } from "./negotiate";
import { messagesFor } from "./messages";

// The patient's own choice (a cookie set by the language chooser) wins; before they have chosen,
// the browser's Accept-Language picks the closest of our languages, and Swedish otherwise.
// A prerendered shell (app/(shell)) names its locale itself (`getTranslations({ locale })`): it
// is built once per language and must not read the request.
export default getRequestConfig(async ({ locale: explicit }) => {
  if (isLocale(explicit)) return { locale: explicit, messages: messagesFor(explicit), timeZone: "Europe/Stockholm" };
  const locale = requestLocale((await cookies()).get(localeCookie)?.value, (await headers()).get("accept-language"));
  return { locale, messages: messagesFor(locale), timeZone: "Europe/Stockholm" };
});
