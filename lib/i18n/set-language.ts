"use server";

import { cookies } from "next/headers";
import { refresh } from "next/cache";
import { isLocale } from "@/i18n/locales";
import { asFormData } from "@/lib/auth/form-data";
import { languageCookie } from "./language-cookie";

export async function setLanguage(input: FormData): Promise<void> {
  const lang = asFormData(input).get("lang");
  // Anything but a known locale is ignored: bad input changes nothing.
  if (!isLocale(lang)) return;
  (await cookies()).set(languageCookie(lang));
  // Re-render what this tab shows, in the new language. Not a revalidation of the root layout: that
  // would also mark the prerendered shells (app/(shell)) stale, and a shell regenerated at run time
  // no longer matches the script hashes of its CSP (test/shell-static.test.ts).
  refresh();
}
