import { isLocale } from "@/i18n/locales";
import { safeReturnTo } from "@/lib/auth/return-to";
import { languageCookie } from "@/lib/i18n/language-cookie";
import { forbidden, isSameOrigin } from "@/lib/security/same-origin";

export const dynamic = "force-dynamic";

// The language chooser of the prerendered shell (app/(shell)): a plain form POST, because a
// static page cannot re-render itself in another language. Sets the choice and goes back to the
// page (own paths only); anything but a known language changes nothing.
export async function POST(request: Request): Promise<Response> {
  if (!isSameOrigin(request)) return forbidden();
  const form = await request.formData().catch(() => null);
  const lang = form?.get("lang");
  const back = safeReturnTo(form?.get("returnTo"), "/besok");
  const headers = new Headers({ Location: back, "Cache-Control": "no-store" });
  if (isLocale(lang)) {
    const c = languageCookie(lang);
    headers.append(
      "Set-Cookie",
      `${c.name}=${c.value}; Path=${c.path}; Max-Age=${c.maxAge}; SameSite=Lax${c.secure ? "; Secure" : ""}`,
    );
  }
  return new Response(null, { status: 303, headers });
}
