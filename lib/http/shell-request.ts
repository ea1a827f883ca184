// Which prerendered app shell (app/(shell)) a page request gets, in one place for the two that
// serve it: proxy.ts (inside Next.js, every case) and server/shell-route.ts (our own server, the
// hot path of a logged-in first visit, without Next's router). Pure: the caller passes what it
// read off the request.
import { localeCookie } from "@/i18n/locales";
import { requestLocale } from "@/i18n/negotiate";

/** Paths served by a prerendered shell, by the patient's language (sw/sw.ts matches the same). */
export const SHELL_PATHS: ReadonlySet<string> = new Set(["/besok"]);

/** Either cookie name a session may have (lib/auth/cookies.ts picks one by http/https). */
export const SESSION_COOKIE_NAMES = ["vardtid.session", "__Host-vardtid.session"] as const;

export type ShellAnswer =
  /** No session cookie: the patient logs in first, as on every logged-in page. */
  | { login: string }
  /** The shell's own path, e.g. "/shell/sv/besok". */
  | { shell: string };

/**
 * The answer for a request of `path` (without query) and `search` (with its "?", or ""), or null
 * when the path has no shell. A cookie is not proof of a session: the shell holds no patient data,
 * and its data requests check the session.
 */
export function shellAnswer(input: {
  path: string;
  search: string;
  cookie: (name: string) => string | undefined;
  acceptLanguage: string | null | undefined;
}): ShellAnswer | null {
  if (!SHELL_PATHS.has(input.path)) return null;
  if (!SESSION_COOKIE_NAMES.some((name) => input.cookie(name) !== undefined)) {
    return { login: `/login?${new URLSearchParams({ returnTo: `${input.path}${input.search}` })}` };
  }
  const locale = requestLocale(input.cookie(localeCookie), input.acceptLanguage);
  return { shell: `/shell/${locale}${input.path}` };
}
