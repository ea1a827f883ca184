// The FHIR API over HTTP: Web-standard Request in, Response out, so the Next.js route stays one
// line and tests can serve the very same handler from a plain Node server. Every answer is JSON
// (FHIR or OAuth); nothing here ever renders HTML.
// (Slightly over ~300 lines: the one HTTP boundary of the API: routing, auth, limits, errors.)
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
}

export const DEFAULT_LIMITS: FhirLimits = {
  maxBodyBytes: 2 * 1024 * 1024,
  perClientPerMinute: 1200,
  tokenPerIpPerMinute: 60,
  maxBundleEntries: 1000,
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
  const base = deps.smart.baseUrl;

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const at = url.pathname.indexOf(BASE_PATH);
    const path = at < 0 ? "" : url.pathname.slice(at + BASE_PATH.length).replace(/^\/+|\/+$/g, "");
    const method = req.method.toUpperCase();

    if (path === "metadata" && method === "GET") return json(200, capabilityStatement(base, now()));
    if (path === ".well-known/smart-configuration" && method === "GET")
      return json(200, smartConfiguration(base), {}, "application/json; charset=utf-8");
    if (path === "auth/token") return token(req, method);

    // Everything else needs a bearer token.
    const auth = req.headers.get("authorization") ?? "";
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (!bearer) throw new FhirError(401, "login", "an access token is required (SMART backend services)");
    const claims = await verifyAccessToken(deps.smart, bearer, now());
    if (!claims) throw new FhirError(401, "login", "the access token is invalid or has expired");
    const [row] = await deps.db.select().from(apiClients).where(eq(apiClients.id, claims.clientId)).limit(1);
    if (!row || row.revokedAt) throw new FhirError(401, "login", "this client has been revoked");
    const client: FhirClient = {
      id: row.id,
      name: row.name,
      clinicHsaIds: row.clinicHsaIds,
      // The token's scopes, still within what the client holds now.
      scopes: claims.scopes.filter((s) => row.scopes.includes(s)),
    };
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

    if (path === "" && method === "POST") return bundle(client, body, meta);
    const interaction: InteractionRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      ifMatch: parseIfMatch(req.headers.get("if-match")),
      ifNoneExist: req.headers.get("if-none-exist") ?? undefined,
    };
    const result = await inTransaction(client, meta, (ctx) => perform(ctx, interaction));
    return resultResponse(result);
  }

  async function token(req: Request, method: string): Promise<Response> {
    const oauth = (status: number, error: string, description: string, headers: Record<string, string> = {}) =>
      json(status, { error, error_description: description }, headers, "application/json; charset=utf-8");
    if (method !== "POST") return oauth(405, "invalid_request", "use POST");
    const limited = perIp.take(clientIp(req));
    if (!limited.ok)
      return oauth(429, "slow_down", "too many token requests", { "retry-after": String(limited.retryAfterSeconds) });
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers.get("content-type") ?? ""))
      return oauth(400, "invalid_request", "send application/x-www-form-urlencoded");
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(await readBody(req, 64 * 1024));
    } catch {
      return oauth(413, "invalid_request", "request too large");
    }
    try {
      const { response, clientId } = await issueAccessToken(deps.db, deps.smart, form, now());
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
    client: FhirClient,
    meta: { ip: string; userAgent: string | null },
    work: (ctx: FhirContext) => Promise<T>,
  ): Promise<T> {
    const audit: FhirContext["audit"] = [];
    try {
      return await deps.db.transaction(async (tx) => {
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
    } catch (error) {
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

  async function bundle(client: FhirClient, body: unknown, meta: { ip: string; userAgent: string | null }) {
    const b = body as Bundle;
    if (!b || b.resourceType !== "Bundle" || (b.type !== "transaction" && b.type !== "batch"))
      throw badRequest("POST to the base takes a Bundle of type transaction or batch");
    const entries = b.entry ?? [];
    if (!Array.isArray(entries)) throw badRequest("Bundle.entry must be an array");
    if (entries.length > limits.maxBundleEntries)
      throw badRequest(`a Bundle may hold at most ${limits.maxBundleEntries} entries`);
    const requests = entries.map((e, i) => toInteraction(e, i));

    if (b.type === "transaction") {
      const results = await inTransaction(client, meta, (ctx) => processTransaction(ctx, requests, entries));
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
        const r = await inTransaction(client, meta, (ctx) => perform(ctx, req));
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

  return async (req: Request) => {
    try {
      return await handle(req);
    } catch (error) {
      if (error instanceof FhirError) return errorResponse(error);
      if (error instanceof BodyTooLarge)
        return json(
          413,
          operationOutcome("error", "too-costly", `request bodies are limited to ${limits.maxBodyBytes} bytes`),
        );
      deps.log?.(`fhir request failed: ${describeError(error)}`);
      return json(500, operationOutcome("fatal", "exception", "internal error; nothing was changed"));
    }
  };
}
