// The FHIR API over HTTP: Web-standard Request in, Response out, so the Next.js route stays one
// line and tests can serve the very same handler from a plain Node server. Every answer is JSON
// (FHIR or OAuth); nothing here ever renders HTML. Every call but the public metadata and
// discovery reads leaves an audit event: in the call's own transaction, or, for a call refused
// before or outside one (no or bad token, malformed JSON, 413, 415, 429, a bad Bundle), one
// `fhir.refused` event afterwards (auditRefusal).
// (Over ~300 lines: the one HTTP boundary of the API: routing, auth, limits, errors, audit.)
import type { Bundle, BundleEntry } from "@medplum/fhirtypes";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiClients } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { RateLimiter } from "@/lib/auth/rate-limit";
import type { PiiKeys } from "@/lib/privacy/crypto";
import { capabilityStatement, smartConfiguration } from "./capability";
import { parseIfMatch } from "./common";
import type { FhirClient, FhirContext } from "./context";
import { processTransaction, toInteraction } from "./bundle";
import { perform, type InteractionRequest, type InteractionResult } from "./interactions";
import { badRequest, FhirError, operationOutcome, outcomeOf } from "./outcome";
import { grantScopes } from "./scopes";
import { issueAccessToken, OAuthError, verifyAccessToken, type SmartConfig } from "./smart";

export interface FhirLimits {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Requests per client per minute. */
  perClientPerMinute: number;
  /** Token requests per client IP per minute. */
  tokenPerIpPerMinute: number;
  /** Entries in one Bundle. */
  maxBundleEntries: number;
  /**
   * Refused calls without a known client (no or bad token) per address per minute, each audited;
   * beyond this they are 429 and one audit event per address and minute stands for the rest, so an
   * unauthenticated flood cannot fill the audit trail.
   */
  anonymousPerIpPerMinute: number;
}

export const DEFAULT_LIMITS: FhirLimits = {
  maxBodyBytes: 2 * 1024 * 1024,
  perClientPerMinute: 1200,
  tokenPerIpPerMinute: 60,
  maxBundleEntries: 1000,
  anonymousPerIpPerMinute: 120,
};

export interface FhirDeps {
  db: Db;
  keys: PiiKeys;
  smart: SmartConfig;
  publicBaseUrl: string;
  limits?: Partial<FhirLimits>;
  now?: () => Date;
  log?: (line: string) => void;
}

const FHIR_JSON = "application/fhir+json; charset=utf-8";
const BASE_PATH = "/api/fhir/r4";
/** `_format` values that mean JSON (a `+` in a query string arrives as a space). */
const JSON_FORMATS = new Set(["json", "application/json", "application/fhir+json", "application/json+fhir"]);
/** Accept media ranges a JSON answer satisfies. */
const JSON_ACCEPTS = new Set(["*/*", "application/*", ...JSON_FORMATS]);

/** What one call has shown so far, for its audit event. */
interface CallState {
  /** The calling client, once its token is verified. */
  client?: FhirClient;
  /** A verified token's client, also when that client has been revoked. */
  tokenClientId?: string;
  /** An audit event of this call is written (or committed with its transaction). */
  audited: boolean;
  /** Metadata and discovery: public, no actor, not audited. */
  public: boolean;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}, type = FHIR_JSON): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers },
  });
}

function errorResponse(error: FhirError): Response {
  const headers = { ...error.headers };
  if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="fhir", error="invalid_token"';
  return json(error.status, outcomeOf(error), headers);
}

class BodyTooLarge extends Error {}

/** The reason of a refusal for the audit trail: the OperationOutcome's text, never the request's data. */
function refusalReason(error: unknown): string {
  if (error instanceof FhirError) return error.diagnostics.slice(0, 300);
  if (error instanceof BodyTooLarge) return "request body too large";
  return "internal error";
}

/** A 406 unless the client takes JSON (`_format`, Accept). */
function checkFormat(url: URL, accept: string | null) {
  const format = url.searchParams.get("_format");
  if (format !== null && !JSON_FORMATS.has(format.trim().toLowerCase().replace(/ /g, "+")))
    throw new FhirError(406, "not-supported", `_format=${format.slice(0, 50)}: only JSON is served (_format=json)`);
  if (accept) {
    const ranges = accept.split(",").map((r) => r.split(";")[0]!.trim().toLowerCase());
    if (!ranges.some((r) => r === "" || JSON_ACCEPTS.has(r)))
      throw new FhirError(406, "not-supported", "only application/fhir+json is served; Accept does not take it");
  }
}

/**
 * An unexpected error for the log, without the data: a failed query's message carries its
 * parameters (names, identifiers), so only the error's kind, the database's code and its first
 * message line are kept.
 */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const err = e as { name?: string; code?: string; message?: string };
    const first = (err.message ?? "").split("\n")[0]!;
    parts.push(
      `${err.name ?? "Error"}${err.code ? ` ${err.code}` : ""}${first.startsWith("Failed query") ? "" : `: ${first.slice(0, 200)}`}`,
    );
  }
  return parts.join(" <- ");
}

async function readBody(req: Request, max: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw new BodyTooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function clientIp(req: Request): string {
  return req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || req.headers.get("x-real-ip") || "local";
}

export function createFhirHandler(deps: FhirDeps): (req: Request) => Promise<Response> {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  const perClient = new RateLimiter(limits.perClientPerMinute, 60_000);
  const perIp = new RateLimiter(limits.tokenPerIpPerMinute, 60_000);
  const anonymousPerIp = new RateLimiter(limits.anonymousPerIpPerMinute, 60_000);
  const throttledNotice = new RateLimiter(1, 60_000);
  const base = deps.smart.baseUrl;

  async function handle(req: Request, call: CallState): Promise<Response> {
    const url = new URL(req.url);
    // Only /api/fhir/r4 and below is the API; anything else under /api/fhir is a FHIR 404.
    if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`))
      throw new FhirError(404, "not-found", `this is not an address of the API; its FHIR R4 base is ${base}`);
    try {
      decodeURIComponent(url.pathname);
    } catch {
      throw badRequest("the address is not valid percent-encoding");
    }
    const path = url.pathname.slice(BASE_PATH.length).replace(/^\/+|\/+$/g, "");
    // HEAD answers as GET does, without the body (see the handler below).
    const method = req.method.toUpperCase() === "HEAD" ? "GET" : req.method.toUpperCase();
    checkFormat(url, req.headers.get("accept"));

    if (path === "metadata" && method === "GET") {
      call.public = true;
      return json(200, capabilityStatement(base, now()));
    }
    if (path === ".well-known/smart-configuration" && method === "GET") {
      call.public = true;
      return json(200, smartConfiguration(base), {}, "application/json; charset=utf-8");
    }
    if (path === "auth/token") return token(req, method, call);

    // Everything else needs a bearer token.
    const auth = req.headers.get("authorization") ?? "";
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (!bearer) throw new FhirError(401, "login", "an access token is required (SMART backend services)");
    const claims = await verifyAccessToken(deps.smart, bearer, now());
    if (!claims) throw new FhirError(401, "login", "the access token is invalid or has expired");
    call.tokenClientId = claims.clientId;
    const [row] = await deps.db.select().from(apiClients).where(eq(apiClients.id, claims.clientId)).limit(1);
    if (!row || row.revokedAt) throw new FhirError(401, "login", "this client has been revoked");
    const client: FhirClient = {
      id: row.id,
      name: row.name,
      clinicHsaIds: row.clinicHsaIds,
      // The token's scopes, still within what the client holds now.
      scopes: grantScopes(claims.scopes, row.scopes),
    };
    call.client = client;
    const limited = perClient.take(client.id);
    if (!limited.ok)
      throw new FhirError(429, "throttled", "too many requests for this client; slow down", undefined, {
        "retry-after": String(limited.retryAfterSeconds),
      });

    let body: unknown;
    if (method === "POST" || method === "PUT") {
      const type = req.headers.get("content-type") ?? "";
      if (!/^application\/(fhir\+)?json\b/i.test(type))
        throw new FhirError(415, "not-supported", "send application/fhir+json");
      const text = await readBody(req, limits.maxBodyBytes);
      try {
        body = JSON.parse(text);
      } catch {
        throw badRequest("the request body is not valid JSON");
      }
    }
    const meta = { ip: clientIp(req), userAgent: req.headers.get("user-agent") };

    if (path === "" && method === "POST") return bundle(call, client, body, meta);
    const interaction: InteractionRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      ifMatch: parseIfMatch(req.headers.get("if-match")),
      ifNoneExist: req.headers.get("if-none-exist") ?? undefined,
    };
    const result = await inTransaction(call, client, meta, (ctx) => perform(ctx, interaction));
    return resultResponse(result);
  }

  async function token(req: Request, method: string, call: CallState): Promise<Response> {
    const oauth = (status: number, error: string, description: string, headers: Record<string, string> = {}) =>
      json(status, { error, error_description: description }, headers, "application/json; charset=utf-8");
    // Refusals before the assertion is read: audited, and throttled per address like the rest.
    const refuse = async (status: number, error: string, description: string, headers: Record<string, string> = {}) => {
      const ok = await auditAnonymous(req, "fhir.token_refused", { status, error, reason: description });
      call.audited = true;
      return ok ? oauth(status, error, description, headers) : tooManyAnonymous(req);
    };
    const limited = perIp.take(clientIp(req));
    if (!limited.ok)
      return refuse(429, "slow_down", "too many token requests", { "retry-after": String(limited.retryAfterSeconds) });
    if (method !== "POST") return refuse(405, "invalid_request", "use POST");
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers.get("content-type") ?? ""))
      return refuse(400, "invalid_request", "send application/x-www-form-urlencoded");
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(await readBody(req, 64 * 1024));
    } catch {
      return refuse(413, "invalid_request", "request too large");
    }
    try {
      const { response, clientId } = await issueAccessToken(deps.db, deps.smart, form, now());
      call.audited = true;
      await recordAudit(deps.db, {
        actorType: "api_client",
        actorId: clientId,
        action: "fhir.token",
        ip: clientIp(req),
        userAgent: req.headers.get("user-agent"),
        details: { scope: response.scope },
      });
      return json(200, response, { pragma: "no-cache" }, "application/json; charset=utf-8");
    } catch (error) {
      if (error instanceof OAuthError) {
        call.audited = true;
        await recordAudit(deps.db, {
          actorType: "anonymous",
          action: "fhir.token_refused",
          ip: clientIp(req),
          userAgent: req.headers.get("user-agent"),
          details: { error: error.error, reason: error.description },
        });
        return oauth(error.status, error.error, error.description);
      }
      throw error;
    }
  }

  /** Runs handler work in one transaction with its audit events; a failure is audited after rollback. */
  async function inTransaction<T>(
    call: CallState,
    client: FhirClient,
    meta: { ip: string; userAgent: string | null },
    work: (ctx: FhirContext) => Promise<T>,
  ): Promise<T> {
    const audit: FhirContext["audit"] = [];
    try {
      const result = await deps.db.transaction(async (tx) => {
        const ctx: FhirContext = {
          tx,
          client,
          now: now(),
          keys: deps.keys,
          baseUrl: base,
          publicBaseUrl: deps.publicBaseUrl,
          bundleRefs: new Map(),
          audit,
        };
        const result = await work(ctx);
        for (const event of audit)
          await recordAudit(tx, { ...event, actorType: "api_client", actorId: client.id, ...meta });
        return result;
      });
      if (audit.length > 0) call.audited = true;
      return result;
    } catch (error) {
      call.audited = true;
      await recordAudit(deps.db, {
        actorType: "api_client",
        actorId: client.id,
        action: "fhir.refused",
        ...meta,
        details: {
          client: client.name,
          status: error instanceof FhirError ? error.status : 500,
          reason: error instanceof FhirError ? error.diagnostics.slice(0, 300) : "internal error",
        },
      });
      throw error;
    }
  }

  function entryResponse(result: InteractionResult): BundleEntry["response"] {
    const r = result.resource;
    return {
      status: `${result.status} ${result.status === 201 ? "Created" : result.status === 204 ? "No Content" : "OK"}`,
      ...(result.location ? { location: `${result.location}/_history/${r?.meta?.versionId ?? "1"}` } : {}),
      ...(r?.meta?.versionId ? { etag: `W/"${r.meta.versionId}"` } : {}),
      ...(r?.meta?.lastUpdated ? { lastModified: r.meta.lastUpdated } : {}),
    };
  }

  async function bundle(
    call: CallState,
    client: FhirClient,
    body: unknown,
    meta: { ip: string; userAgent: string | null },
  ) {
    const b = body as Bundle;
    if (!b || b.resourceType !== "Bundle" || (b.type !== "transaction" && b.type !== "batch"))
      throw badRequest("POST to the base takes a Bundle of type transaction or batch");
    const entries = b.entry ?? [];
    if (!Array.isArray(entries)) throw badRequest("Bundle.entry must be an array");
    // Nothing to do is refused (and so audited) rather than answered with an empty Bundle.
    if (entries.length === 0) throw badRequest("the Bundle has no entries");
    if (entries.length > limits.maxBundleEntries)
      throw badRequest(`a Bundle may hold at most ${limits.maxBundleEntries} entries`);
    const requests = entries.map((e, i) => toInteraction(e, i));

    if (b.type === "transaction") {
      const results = await inTransaction(call, client, meta, (ctx) => processTransaction(ctx, requests, entries));
      return json(200, {
        resourceType: "Bundle",
        type: "transaction-response",
        entry: results.map((r) => ({ ...(r.resource ? { resource: r.resource } : {}), response: entryResponse(r) })),
      } satisfies Bundle);
    }

    // A batch: each entry stands alone; one failing does not undo the others.
    const out: BundleEntry[] = [];
    for (const req of requests) {
      try {
        const r = await inTransaction(call, client, meta, (ctx) => perform(ctx, req));
        out.push({ ...(r.resource ? { resource: r.resource } : {}), response: entryResponse(r) });
      } catch (error) {
        const fe = error instanceof FhirError ? error : new FhirError(500, "exception", "internal error");
        if (!(error instanceof FhirError)) deps.log?.(`fhir batch entry failed: ${describeError(error)}`);
        out.push({ response: { status: String(fe.status), outcome: outcomeOf(fe) } });
      }
    }
    return json(200, { resourceType: "Bundle", type: "batch-response", entry: out } satisfies Bundle);
  }

  function resultResponse(result: InteractionResult): Response {
    const r = result.resource;
    const headers: Record<string, string> = {};
    if (r?.meta?.versionId) headers.etag = `W/"${r.meta.versionId}"`;
    if (r?.meta?.lastUpdated) headers["last-modified"] = new Date(r.meta.lastUpdated).toUTCString();
    if (result.location && result.status === 201)
      headers.location = `${base}/${result.location}/_history/${r?.meta?.versionId ?? "1"}`;
    return json(result.status, r ?? null, headers);
  }

  /**
   * Writes an audit event of a call with no known client; false when the address is over its
   * budget of audited refusals this minute (then only the first such call of the minute is written).
   */
  async function auditAnonymous(req: Request, action: string, details: Record<string, unknown>): Promise<boolean> {
    const ip = clientIp(req);
    const ok = anonymousPerIp.take(ip).ok;
    if (!ok && !throttledNotice.take(ip).ok) return false;
    await recordAudit(deps.db, {
      actorType: "anonymous",
      action,
      ip,
      userAgent: req.headers.get("user-agent"),
      details: ok
        ? details
        : { ...details, status: 429, throttled: "further refused calls from this address this minute are not audited" },
    });
    return ok;
  }

  function tooManyAnonymous(req: Request): Response {
    const retry = anonymousPerIp.take(clientIp(req));
    return json(429, operationOutcome("error", "throttled", "too many refused requests from this address"), {
      "retry-after": String(retry.ok ? 60 : retry.retryAfterSeconds),
    });
  }

  /** One `fhir.refused` event for a call refused before or outside a transaction that audited it. */
  async function auditRefusal(req: Request, call: CallState, response: Response, reason: string): Promise<Response> {
    const url = new URL(req.url);
    const details = {
      status: response.status,
      method: req.method.toUpperCase(),
      // The path only: a query may carry a personal number.
      path: url.pathname.slice(0, 200),
      reason,
    };
    const actorId = call.client?.id ?? call.tokenClientId;
    if (!actorId) return (await auditAnonymous(req, "fhir.refused", details)) ? response : tooManyAnonymous(req);
    await recordAudit(deps.db, {
      actorType: "api_client",
      actorId,
      action: "fhir.refused",
      ip: clientIp(req),
      userAgent: req.headers.get("user-agent"),
      details: { ...(call.client ? { client: call.client.name } : {}), ...details },
    });
    return response;
  }

  function failureResponse(error: unknown): Response {
    if (error instanceof FhirError) return errorResponse(error);
    if (error instanceof BodyTooLarge)
      return json(
        413,
        operationOutcome("error", "too-costly", `request bodies are limited to ${limits.maxBodyBytes} bytes`),
      );
    deps.log?.(`fhir request failed: ${describeError(error)}`);
    return json(500, operationOutcome("fatal", "exception", "internal error; nothing was changed"));
  }

  return async (req: Request) => {
    const call: CallState = { audited: false, public: false };
    let response: Response;
    let reason = "";
    try {
      response = await handle(req, call);
    } catch (error) {
      response = failureResponse(error);
      reason = refusalReason(error);
    }
    if (!call.audited && !call.public && response.status >= 400) {
      try {
        response = await auditRefusal(req, call, response, reason);
      } catch (error) {
        deps.log?.(`fhir refusal not audited: ${describeError(error)}`);
        response = json(500, operationOutcome("fatal", "exception", "internal error; nothing was changed"));
      }
    }
    if (req.method.toUpperCase() === "HEAD")
      return new Response(null, { status: response.status, headers: response.headers });
    return response;
  };
}
