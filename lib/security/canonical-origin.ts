// Demo mode on a developer's machine is reached as localhost, 127.0.0.1 or [::1], interchangeably,
// but cookies, the same-origin check and BankID's return address belong to one origin. Instead of
// failing later with an opaque error, a request on another loopback name is sent to the
// configured one. Production is untouched: there exactly one origin (PUBLIC_BASE_URL) exists and
// any other Host is refused elsewhere, never redirected (a redirect would trust the Host header).
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase());
}

/**
 * The URL to redirect to, or null to serve the request as it is. Pure: the caller passes the
 * request's Host header, its path and query, and the configuration.
 */
export function canonicalLoopbackRedirect(input: {
  host: string | null;
  pathAndQuery: string;
  publicBaseUrl: string;
  production: boolean;
}): string | null {
  if (input.production || !input.host) return null;
  const canonical = new URL(input.publicBaseUrl);
  if (!isLoopbackHost(canonical.hostname)) return null;
  let requested: URL;
  try {
    requested = new URL(`${canonical.protocol}//${input.host}`);
  } catch {
    return null;
  }
  if (!isLoopbackHost(requested.hostname)) return null;
  if (requested.host === canonical.host) return null;
  // Only the loopback name differs: same port, or the request is not for this server at all.
  if (requested.port !== canonical.port) return null;
  // Appended to the origin, not resolved against it: "//evil.example/x" must stay a path here.
  const path = input.pathAndQuery.startsWith("/") ? input.pathAndQuery : `/${input.pathAndQuery}`;
  return `${canonical.origin}${path}`;
}
