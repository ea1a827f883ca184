// The Content-Security-Policy for a page, built around a per-request nonce. No third-party origin
// appears anywhere: the browser may talk to our own origin only.
export const CSP_REPORT_PATH = "/api/csp-report";
export const CSP_REPORT_GROUP = "csp";

/** The Reporting-Endpoints header that names the report-to group (relative URLs are allowed). */
export function reportingEndpoints(): string {
  return `${CSP_REPORT_GROUP}="${CSP_REPORT_PATH}"`;
}

export function buildCsp(nonce: string, options: { dev: boolean; https: boolean }): string {
  return policy(
    {
      script: `'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
      style: `'self' 'nonce-${nonce}'`,
    },
    options,
  );
}

/**
 * The one policy every page gets; only where its scripts and styles may come from differs (a nonce
 * for pages rendered per request, hashes for a prerendered shell: lib/security/shell-csp.ts).
 */
export function policy(sources: { script: string; style: string }, options: { https: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src ${sources.script}`,
    `style-src ${sources.style}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // Violations are reported to our own endpoint (never a third party): Reporting API first,
    // report-uri for browsers without it.
    `report-uri ${CSP_REPORT_PATH}`,
    `report-to ${CSP_REPORT_GROUP}`,
  ];
  if (options.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
