// What must never reach a log line: personal numbers, phone numbers, tokens, cookies, secrets.
// Two nets: keys whose name says "secret" lose their value whatever it is, and every string value
// is scrubbed of anything shaped like a personal number, a phone number or a bearer token, so a
// careless `log.info(\`… ${error.message}\`)` cannot leak one either.

const SENSITIVE_KEY =
  /cookie|authori[sz]ation|token|secret|password|passphrase|api[-_]?key|personal[-_]?number|personnummer|pnr|ssn|phone|msisdn|^to$|^from$|^body$|^text$|endUserIp/i;

const REDACTED = "[redacted]";

// Swedish personal and coordination numbers: 12 or 10 digits, with or without - or +.
const PERSONAL_NUMBER = /(?<!\d)(?:19|20)?\d{6}[-+]?\d{4}(?!\d)/g;
// E.164 (+46…) and 0046…, and Swedish mobiles written 07x… with optional spaces or dashes.
const PHONE = /(?<![\w+])(?:\+|00)[1-9](?:[\s-]?\d){6,14}(?!\d)|(?<!\d)07\d(?:[\s-]?\d){7}(?!\d)/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// Secrets carried in URLs: the SMS link token and query parameters that authenticate.
const LINK_TOKEN = /\/l\/[A-Za-z0-9_-]{8,}/g;
const QUERY_SECRET = /([?&](?:secret|token|code|key|sig|signature)=)[^&\s"]+/gi;

// A UUID (a request id, a row id) whose last group happens to be twelve digits is not a personal
// number: about one request id in three hundred had its tail replaced in the log.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function outsideUuids(text: string, pattern: RegExp, replacement: string): string {
  const ids = [...text.matchAll(UUID)].map((m) => [m.index, m.index + m[0].length] as const);
  if (ids.length === 0) return text.replace(pattern, replacement);
  return text.replace(pattern, (match: string, ...rest: unknown[]) => {
    const offset = rest.find((x) => typeof x === "number") as number;
    return ids.some(([from, to]) => offset >= from && offset + match.length <= to) ? match : replacement;
  });
}

export function scrubText(text: string): string {
  const scrubbed = text
    .replace(BEARER, "$1 [redacted]")
    .replace(JWT, "[token]")
    .replace(LINK_TOKEN, "/l/[token]")
    .replace(QUERY_SECRET, "$1[redacted]");
  return outsideUuids(outsideUuids(scrubbed, PERSONAL_NUMBER, "[personal-number]"), PHONE, "[phone]");
}

/** A deep copy with sensitive keys blanked and every string scrubbed; cycles and depth are bounded. */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 6 || seen.has(value)) return "[…]";
  seen.add(value);
  if (value instanceof Error) {
    // A stack names our files, not patients, but its message may quote input: scrub both.
    return { type: value.name, message: scrubText(value.message), stack: value.stack && scrubText(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) && v !== null && v !== undefined ? REDACTED : scrubValue(v, depth + 1, seen);
  }
  return out;
}
