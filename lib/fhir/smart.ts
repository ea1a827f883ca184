// SMART Backend Services: a booking system proves who it is with a JWT signed by its own private
// key (client_credentials + private_key_jwt), and gets a short-lived access token for the API.
// All JOSE work is done by `jose`; this file only applies SMART's rules.
import { createHash } from "node:crypto";
import { and, eq, isNull, lt } from "drizzle-orm";
import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify, SignJWT, type JWK } from "jose";
import type { DbOrTx } from "@/db/client";
import { apiClientAssertions, apiClients } from "@/db/schema";
import { ASSERTION_ALGORITHMS } from "@/lib/api-clients/clients";
import { isUniqueViolation } from "@/lib/appointments/service";
import { grantScopes } from "./scopes";

export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** SMART: an assertion's exp must be at most five minutes ahead. */
export const MAX_ASSERTION_SECONDS = 300;
export const ACCESS_TOKEN_SECONDS = 300;

export interface SmartConfig {
  /** Absolute base of the FHIR API, e.g. https://vardtid.example/api/fhir/r4 */
  baseUrl: string;
  /** Signs access tokens (HS256); derived from AUTH_SECRET, see accessTokenKey. */
  tokenKey: Uint8Array;
}

export const tokenEndpoint = (baseUrl: string) => `${baseUrl}/auth/token`;

/** A key of its own for access tokens, so AUTH_SECRET itself never signs anything outside next-auth. */
export function accessTokenKey(authSecret: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`vardtid-fhir-access-token\n${authSecret}`).digest());
}

export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: "invalid_request" | "invalid_client" | "invalid_scope" | "unsupported_grant_type",
    readonly description: string,
  ) {
    super(description);
  }
}

export interface TokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  scope: string;
}

export async function issueAccessToken(
  db: DbOrTx,
  config: SmartConfig,
  form: URLSearchParams,
  now: Date,
): Promise<{ response: TokenResponse; clientId: string }> {
  if (form.get("grant_type") !== "client_credentials")
    throw new OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials");
  if (form.get("client_assertion_type") !== ASSERTION_TYPE)
    throw new OAuthError(400, "invalid_request", `client_assertion_type must be ${ASSERTION_TYPE}`);
  const assertion = form.get("client_assertion");
  if (!assertion) throw new OAuthError(400, "invalid_request", "client_assertion is missing");
  const requested = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
  if (requested.length === 0) throw new OAuthError(400, "invalid_scope", "scope is missing");

  let claimedClient: string | undefined;
  try {
    claimedClient = decodeJwt(assertion).iss;
  } catch {
    throw new OAuthError(401, "invalid_client", "client_assertion is not a JWT");
  }
  const invalid = () => new OAuthError(401, "invalid_client", "the client assertion was not accepted");
  if (!claimedClient || !/^[0-9a-f-]{36}$/i.test(claimedClient)) throw invalid();
  const [client] = await db
    .select()
    .from(apiClients)
    .where(and(eq(apiClients.id, claimedClient), isNull(apiClients.revokedAt)))
    .limit(1);
  if (!client) throw invalid();

  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet({ keys: client.jwks.keys as JWK[] }), {
      algorithms: [...ASSERTION_ALGORITHMS],
      issuer: client.id,
      subject: client.id,
      audience: tokenEndpoint(config.baseUrl),
      currentDate: now,
      requiredClaims: ["exp", "jti"],
      clockTolerance: 30,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw invalid();
    throw error;
  }
  const exp = payload.exp!;
  if (exp - now.getTime() / 1000 > MAX_ASSERTION_SECONDS + 30)
    throw new OAuthError(401, "invalid_client", "the client assertion's exp is more than five minutes ahead");
  const jti = String(payload.jti);
  if (jti.length < 8 || jti.length > 200) throw invalid();
  try {
    // Old assertion ids can go: a replay of an expired assertion fails on exp anyway.
    await db.delete(apiClientAssertions).where(lt(apiClientAssertions.expiresAt, new Date(now.getTime() - 60_000)));
    await db.insert(apiClientAssertions).values({ clientId: client.id, jti, expiresAt: new Date(exp * 1000) });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new OAuthError(401, "invalid_client", "this client assertion (jti) was used before");
    throw error;
  }

  // SMART/OAuth: the token gets what is both asked for and registered, and `scope` says so.
  const granted = grantScopes(requested, client.scopes);
  if (granted.length === 0)
    throw new OAuthError(400, "invalid_scope", "none of the requested scopes is granted to this client");
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ scope: granted.join(" ") })
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .setIssuer(config.baseUrl)
    .setAudience(config.baseUrl)
    .setSubject(client.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(config.tokenKey);
  return {
    clientId: client.id,
    response: { access_token: token, token_type: "bearer", expires_in: ACCESS_TOKEN_SECONDS, scope: granted.join(" ") },
  };
}

/** The client and scopes behind a bearer token, or null (then the API answers 401). */
export async function verifyAccessToken(
  config: SmartConfig,
  token: string,
  now: Date,
): Promise<{ clientId: string; scopes: string[] } | null> {
  try {
    const { payload } = await jwtVerify(token, config.tokenKey, {
      algorithms: ["HS256"],
      issuer: config.baseUrl,
      audience: config.baseUrl,
      typ: "at+jwt",
      currentDate: now,
    });
    if (!payload.sub || typeof payload.scope !== "string") return null;
    return { clientId: payload.sub, scopes: payload.scope.split(" ").filter(Boolean) };
  } catch {
    return null;
  }
}
