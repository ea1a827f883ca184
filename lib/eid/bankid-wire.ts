import type http from "node:http";
import { z } from "zod";
import { EidError } from "./types";

// BankID RP API v6.0 on the wire: the answer schemas, the size cap, and how HTTP and TLS failures
// map to our EidError codes. Kept apart from the client (bankid.ts) so each reads as one job.

export const orderAnswerSchema = z.object({
  orderRef: z.string().min(1),
  autoStartToken: z.string().min(1),
  qrStartToken: z.string().min(1),
  qrStartSecret: z.string().min(1),
});

export const phoneOrderAnswerSchema = z.object({ orderRef: z.string().min(1) });

export const completionDataSchema = z.object({
  user: z.object({
    personalNumber: z.string().regex(/^\d{12}$/),
    name: z.string(),
    givenName: z.string(),
    surname: z.string(),
  }),
  device: z.object({ ipAddress: z.string(), uhi: z.string().optional() }),
  bankIdIssueDate: z.string().optional(),
  stepUp: z.object({ mrtd: z.boolean() }).optional(),
  signature: z.string().min(1),
  ocspResponse: z.string().optional(),
  risk: z.string().optional(),
});

// A missing hintCode is read as "" so it falls into the generic message of its status.
export const collectAnswerSchema = z.discriminatedUnion("status", [
  z.object({ orderRef: z.string(), status: z.literal("pending"), hintCode: z.string().default("") }),
  z.object({ orderRef: z.string(), status: z.literal("failed"), hintCode: z.string().default("") }),
  z.object({ orderRef: z.string(), status: z.literal("complete"), completionData: completionDataSchema }),
]);

export const errorAnswerSchema = z.object({ errorCode: z.string().min(1), details: z.string().optional() });

// Used when an error answer has no readable body (e.g. from a proxy in front of BankID).
export const ERROR_CODE_BY_STATUS: Record<number, string> = {
  400: "invalidParameters",
  401: "unauthorized",
  403: "unauthorized",
  404: "notFound",
  405: "methodNotAllowed",
  408: "requestTimeout",
  415: "unsupportedMediaType",
  429: "tooManyRequests",
  500: "internalError",
  503: "maintenance",
};

export const MAX_ANSWER_BYTES = 1024 * 1024;

// Our trust pin or hostname check refused the server: a misconfiguration or an impostor, never
// something a retry fixes.
export const SERVER_CERT_REJECTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
// The server's TLS alerts when it does not accept our client certificate.
export const CLIENT_CERT_REFUSED =
  /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_\w+|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)$/;
// The request never reached the server, so repeating it cannot create a second order.
export const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
export function parseAnswer<T>(path: string, answer: RawAnswer, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch (err) {
    throw new EidError("invalidResponse", {
      retryable: false,
      httpStatus: answer.status,
      details: `${path}: answer is not JSON`,
      cause: err,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // Only the paths of the bad fields: the values may be personal data.
    const fields = parsed.error.issues.map((i) => i.path.join(".") || "(root)").join(", ");
    throw new EidError("invalidResponse", {
      retryable: false,
      httpStatus: answer.status,
      details: `${path}: unexpected answer (${fields})`,
    });
  }
  return parsed.data;
}

export function errorFromAnswer(path: string, answer: RawAnswer): EidError {
  let errorCode = ERROR_CODE_BY_STATUS[answer.status] ?? (answer.status >= 500 ? "internalError" : "invalidParameters");
  let details: string | undefined;
  try {
    const parsed = errorAnswerSchema.safeParse(JSON.parse(answer.body));
    if (parsed.success) {
      errorCode = parsed.data.errorCode;
      details = parsed.data.details;
    }
  } catch {
    // Not JSON: the status alone decides.
  }
  return new EidError(errorCode, {
    retryable: answer.status === 503 || answer.status === 429,
    httpStatus: answer.status,
    details: `${path}: ${details ?? `HTTP ${answer.status}`}`,
  });
}

export function transportError(path: string, err: Error, tlsInUse: boolean): EidError {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  if (SERVER_CERT_REJECTED.has(code)) {
    return new EidError("network", {
      retryable: false,
      details: `${path}: server certificate not trusted (${code})`,
      cause: err,
    });
  }
  if (CLIENT_CERT_REFUSED.test(code)) {
    // The spec's "unauthorized": our certificate is not accepted; operations must be alerted.
    return new EidError("unauthorized", {
      retryable: false,
      details: `${path}: the server refused our client certificate (${code})`,
      cause: err,
    });
  }
  // A Node-based TLS server (our simulator, some proxies) drops a connection whose client
  // certificate fails verification without sending an alert, so all we see is a reset.
  const hint = tlsInUse && code === "ECONNRESET" ? " (with mutual TLS: was our client certificate refused?)" : "";
  return new EidError("network", {
    retryable: NOT_CONNECTED.has(code),
    details: `${path}: ${code || err.message}${hint}`,
    cause: err,
  });
}

/** Retry-After (seconds or an HTTP date), else RateLimit-Reset (seconds), else one second. */
export function rateLimitWaitMs(headers: http.IncomingHttpHeaders): number {
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const reset = headers["ratelimit-reset"];
  const resetSeconds = typeof reset === "string" ? Number(reset) : Number.NaN;
  if (Number.isFinite(resetSeconds) && resetSeconds >= 0) return resetSeconds * 1000;
  return 1000;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`BankIdClient: ${name} must be a positive integer`);
  }
  return value;
}

export function nonNegativeInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`BankIdClient: ${name} must be a non-negative integer`);
  }
  return value;
}
