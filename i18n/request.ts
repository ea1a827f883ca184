import { cookies } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { defaultLocale, isLocale, localeCookie } from "./locales";
import { messagesFor } from "./messages";

// Swedish first: English only when the patient chose it (a cookie set by the language switch).
export default getRequestConfig(async () => {
  const chosen = (await cookies()).get(localeCookie)?.value;
  const locale = isLocale(chosen) ? chosen : defaultLocale;
  return { locale, messages: messagesFor(locale), timeZone: "Europe/Stockholm" };
});
