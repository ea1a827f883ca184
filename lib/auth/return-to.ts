// Where to go after login. Only our own paths: an absolute URL, a scheme, "//host" or a backslash
// trick could send a freshly logged-in patient to another site.
//
// The check runs on the NORMALISED value, the one we hand to redirect() or location.assign():
// "/.//evil", "/%2e//evil" and "/a/..//evil" all look like paths but normalise to "//evil", which a
// browser reads as another host. So: normalise first, then refuse anything that is not plainly a path.
const BASE = "https://vardtid.invalid";

/** Percent-encoded slash, backslash or dot: no page of ours needs them, and servers differ on them. */
const ENCODED_TRICKS = /%(2f|5c|2e|00)/i;

function isPlainPath(p: string): boolean {
  return (
    p.startsWith("/") &&
    !p.startsWith("//") &&
    !p.includes("\\") &&
    !ENCODED_TRICKS.test(p) &&
    !/[\u0000-\u001f\u007f\s]/.test(p)
  );
}

export function safeReturnTo(value: unknown, fallback = "/besok"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return fallback;
  if (!isPlainPath(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const normalised = url.pathname + url.search + url.hash;
  if (!isPlainPath(url.pathname) || !isPlainPath(normalised)) return fallback;
  if (url.pathname.startsWith("/api/") || url.pathname === "/login") return fallback;
  // Idempotent: what we return must survive being checked again unchanged (it is, after login).
  if (new URL(normalised, BASE).origin !== BASE) return fallback;
  return normalised;
}
