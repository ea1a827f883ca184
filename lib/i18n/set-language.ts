"use server";

import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { isLocale, localeCookie } from "@/i18n/locales";
import { asFormData } from "@/lib/auth/form-data";

export async function setLanguage(input: FormData): Promise<void> {
  const lang = asFormData(input).get("lang");
  // Anything but a known locale is ignored: bad input changes nothing.
  if (!isLocale(lang)) return;
  (await cookies()).set(localeCookie, lang, {
    path: "/",
    sameSite: "lax",
    httpOnly: true,
    secure: process.env.NODE_ENV === "production" && (process.env.PUBLIC_BASE_URL ?? "").startsWith("https://"),
    maxAge: 60 * 60 * 24 * 365,
  });
  revalidatePath("/", "layout");
}
