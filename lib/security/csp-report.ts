// CSP violation reports (POST /api/csp-report): from the Reporting API (application/reports+json,
// an array) or the older report-uri (application/csp-report, one object). A violation is a sign of
// an injection attempt or of our own mistake, so it is recorded: one log line with the directive,
// where the blocked resource came from (origin only) and the page's path with ids and tokens
// masked (an SMS link's token is in its path). Anyone can post here, so it is rate-limited per
// address and overall, and the body is capped.
import { readCappedText } from "./capped-body";
import { RateLimiter } from "@/lib/auth/rate-limit";

export const CSP_REPORT_MAX_BYTES = 16 * 1024;

export interface CspViolation {
  directive: string;
  blocked: string;
  page: string;
}

const counts = new Map<string, number>();

/** Violations recorded by this process, per directive (for metrics). */
export function cspViolationCounts(): ReadonlyMap<string, number> {
  return counts;
}

function clean(value: unknown, max = 80): string {
  return typeof value === "string" ? value.replace(/[^\x21-\x7e]/g, "").slice(0, max) : "";
}

/** The blocked resource as an origin or a CSP keyword; never its path or query. */
function blockedSource(value: unknown): string {
  const raw = clean(value, 2000);
  if (!raw) return "unknown";
  if (/^(inline|eval|wasm-eval|trusted-types-policy|trusted-types-sink)$/.test(raw)) return raw;
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : url.protocol;
  } catch {
    return "other";
  }
}

/** The page's path with anything that could be an id or a token replaced. */
export function maskedPath(value: unknown): string {
  const raw = clean(value, 2000);
  let path: string;
  try {
    path = new URL(raw, "https://x.invalid").pathname;
  } catch {
    return "/";
  }
  return path
    .split("/")
    .map((seg) => (/^[A-Za-z0-9_-]{16,}$/.test(seg) || /\d{4,}/.test(seg) ? ":id" : seg.slice(0, 40)))
    .join("/")
    .slice(0, 200);
}

export function parseCspReports(body: unknown): CspViolation[] {
  const items = Array.isArray(body) ? body.slice(0, 20) : [body];
  const out: CspViolation[] = [];
  for (const item of items) {
    if (!item || typeof item !== "object") continue;
    const rec = item as Record<string, unknown>;
    // Reporting API: { type: "csp-violation", body: { effectiveDirective, blockedURL, documentURL } }
    if (rec.type === "csp-violation" && rec.body && typeof rec.body === "object") {
      const b = rec.body as Record<string, unknown>;
      out.push({
        directive: clean(b.effectiveDirective) || "unknown",
        blocked: blockedSource(b.blockedURL),
        page: maskedPath(b.documentURL),
      });
      continue;
    }
    // report-uri: { "csp-report": { "effective-directive", "blocked-uri", "document-uri" } }
    const legacy = rec["csp-report"];
    if (legacy && typeof legacy === "object") {
      const b = legacy as Record<string, unknown>;
      out.push({
        directive: clean(b["effective-directive"] ?? b["violated-directive"]) || "unknown",
        blocked: blockedSource(b["blocked-uri"]),
        page: maskedPath(b["document-uri"]),
      });
    }
  }
  return out;
}

export class CspReportReceiver {
  private readonly perAddress: RateLimiter;
  private readonly overall: RateLimiter;

  constructor(
    private readonly log: (line: string) => void = (line) => console.warn(line),
    limits: { perAddressPerMinute?: number; overallPerMinute?: number; now?: () => number } = {},
  ) {
    this.perAddress = new RateLimiter(limits.perAddressPerMinute ?? 10, 60_000, limits.now);
    this.overall = new RateLimiter(limits.overallPerMinute ?? 300, 60_000, limits.now);
  }

  /** Records the reports in a request; answers the HTTP status. */
  async receive(request: Request, address: string): Promise<number> {
    if (!this.perAddress.take(address).ok || !this.overall.take("all").ok) return 429;
    const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim();
    if (!["application/reports+json", "application/csp-report", "application/json"].includes(type)) return 415;
    const text = await readCappedText(request, CSP_REPORT_MAX_BYTES);
    if (text === null) return 413;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return 400;
    }
    for (const v of parseCspReports(body)) {
      counts.set(v.directive, (counts.get(v.directive) ?? 0) + 1);
      this.log(`csp violation: directive=${v.directive} blocked=${v.blocked} page=${v.page}`);
    }
    return 204;
  }
}
