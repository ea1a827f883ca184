// Serves the real FHIR handler (lib/fhir/http.ts) from a plain Node server on a loopback port,
// registers API clients through the real `npm run api-client` CLI (over the admin channel), and
// signs SMART client assertions with keys made in the test.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Bundle, CapabilityStatement, Resource } from "@medplum/fhirtypes";
import { Client } from "fhir-kit-client";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { Db } from "@/db/client";
import { startAdminChannel } from "@/lib/admin/channel-server";
import { createFhirHandler, type FhirLimits } from "@/lib/fhir/http";
import { accessTokenKey, tokenEndpoint } from "@/lib/fhir/smart";
import { testKeys } from "./fixtures";

export interface FhirServer {
  baseUrl: string;
  publicBaseUrl: string;
  close(): Promise<void>;
}

export async function startFhirServer(db: Db, limits: Partial<FhirLimits> = {}): Promise<FhirServer> {
  let handler: (req: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
    const response = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const publicBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseUrl = `${publicBaseUrl}/api/fhir/r4`;
  handler = createFhirHandler({
    db,
    keys: testKeys,
    smart: { baseUrl, tokenKey: accessTokenKey("test-auth-secret-test-auth-secret-123") },
    publicBaseUrl,
    limits,
  });
  return { baseUrl, publicBaseUrl, close: () => new Promise((r) => server.close(() => r())) };
}

export interface TestClientKey {
  alg: "ES384" | "RS384";
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeClientKey(alg: "ES384" | "RS384" = "ES384"): Promise<TestClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), alg, kid: `k-${Math.random().toString(36).slice(2)}` };
  return { alg, privateKey, publicJwk };
}

/** Opens the admin channel on the test's database, as the running app does. */
export async function startTestAdminChannel(db: Db): Promise<{ dataDir: string; close(): void }> {
  const dir = mkdtempSync(path.join(tmpdir(), "vardtid-admin-"));
  const dataDir = path.join(dir, "pglite");
  const { server } = await startAdminChannel(db, dataDir);
  return { dataDir, close: () => server.close() };
}

/** Runs `npm run api-client -- ARGS` (the real CLI) against the admin channel of `dataDir`. */
export function runApiClientCli(
  dataDir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(process.cwd(), "node_modules/tsx/dist/cli.mjs"), "scripts/api-client.ts", ...args],
      { env: { ...process.env, PGLITE_DATA_DIR: dataDir, DATABASE_URL: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export async function createClientViaCli(
  dataDir: string,
  opts: { name: string; clinics: string[]; scope: string; keys: TestClientKey[] },
): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "vardtid-jwks-"));
  const file = path.join(dir, "jwks.json");
  writeFileSync(file, JSON.stringify({ keys: opts.keys.map((k) => k.publicJwk) }));
  const r = await runApiClientCli(dataDir, [
    "create",
    "--name",
    opts.name,
    ...opts.clinics.flatMap((c) => ["--clinic", c]),
    "--scope",
    opts.scope,
    "--jwks-file",
    file,
  ]);
  if (r.code !== 0) throw new Error(`api-client create failed: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  if (lines.length !== 1) throw new Error(`expected one JSON line, got: ${r.stdout}`);
  return (JSON.parse(lines[0]!) as { client_id: string }).client_id;
}

export async function signAssertion(
  baseUrl: string,
  clientId: string,
  key: TestClientKey,
  opts: { jti?: string; expSeconds?: number; aud?: string; iat?: number } = {},
): Promise<string> {
  const iat = opts.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.publicJwk.kid, typ: "JWT" })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(opts.aud ?? tokenEndpoint(baseUrl))
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.expSeconds ?? 240))
    .setJti(opts.jti ?? crypto.randomUUID())
    .sign(key.privateKey);
}

export async function requestToken(baseUrl: string, assertion: string, scope: string): Promise<Response> {
  return fetch(tokenEndpoint(baseUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
      scope,
    }),
  });
}

export async function getToken(baseUrl: string, clientId: string, key: TestClientKey, scope: string): Promise<string> {
  const res = await requestToken(baseUrl, await signAssertion(baseUrl, clientId, key), scope);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * fhir-kit-client with @medplum/fhirtypes types on its edges (its own FhirResource type is a
 * loose record). Every call is the library's own; only the types are adapted.
 */
export function fhirClient(baseUrl: string, bearerToken?: string) {
  const c = new Client({ baseUrl, ...(bearerToken ? { bearerToken } : {}) });
  type Opts = { headers?: Record<string, string> };
  type Kit = Parameters<Client["create"]>[0]["body"];
  const out = <T>(p: Promise<unknown>) => p as Promise<T>;
  return {
    bearerToken,
    capabilityStatement: () => out<CapabilityStatement>(c.capabilityStatement()),
    read: <T extends Resource = Resource>(a: { resourceType: string; id: string }) => out<T>(c.read(a)),
    search: (a: { resourceType: string; searchParams: Record<string, string | number | (string | number)[]> }) =>
      out<Bundle>(c.search(a)),
    create: <T extends Resource = Resource>(a: { resourceType: string; body: Resource; options?: Opts }) =>
      out<T>(c.create({ ...a, body: a.body as unknown as Kit })),
    update: <T extends Resource = Resource>(a: {
      resourceType: string;
      id?: string;
      searchParams?: Record<string, string>;
      body: Resource;
      options?: Opts;
    }) => out<T>(c.update({ ...a, body: a.body as unknown as Kit })),
    delete: (a: { resourceType: string; id: string }) => c.delete(a),
    transaction: (a: { body: Bundle }) => out<Bundle>(c.transaction({ body: a.body as unknown as Kit })),
    batch: (a: { body: Bundle }) => out<Bundle>(c.batch({ body: a.body as unknown as Kit })),
    nextPage: (a: { bundle: Bundle }) => {
      const next = c.nextPage({ bundle: a.bundle as unknown as Parameters<Client["nextPage"]>[0]["bundle"] });
      return next ? out<Bundle>(next) : undefined;
    },
  };
}
