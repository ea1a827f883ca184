// Where to go after login. Only our own paths: an absolute URL, a scheme, "//host" or a backslash
// trick could send a freshly logged-in patient to another site.
export function safeReturnTo(value: unknown, fallback = "/besok"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return fallback;
  if (/[\u0000-\u001f]/.test(value)) return fallback;
  try {
    const url = new URL(value, "https://vardtid.invalid");
    if (url.origin !== "https://vardtid.invalid") return fallback;
    if (url.pathname.startsWith("/api/") || url.pathname === "/login") return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
