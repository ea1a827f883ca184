import { env } from "@/lib/env";

/** Binds a login in progress to this browser (HttpOnly, random, single-use). */
export const LOGIN_BINDING_COOKIE = "vardtid.login";

export function secureCookies(): boolean {
  return env().PUBLIC_BASE_URL.startsWith("https://");
}

/** `__Host-` pins the cookie to our exact origin (Secure, Path=/, no Domain): only possible over https. */
export function sessionCookieName(): string {
  return secureCookies() ? "__Host-vardtid.session" : "vardtid.session";
}
