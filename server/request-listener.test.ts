// Our request listener in front of Next.js: an address that is not valid percent-encoding gets a
// 400 of the kind its path expects (Next.js itself would answer 500 text/plain), over real HTTP.
import { request as httpRequest, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { Histogram, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestListener, malformedPathAnswer } from "./request-listener";

describe("the request listener", () => {
  const seen: string[] = [];
  const server = createServer(
    createRequestListener(
      {
        handle: (req, res) => {
          seen.push(req.url ?? "");
          res.writeHead(200, { "content-type": "text/plain" });
          res.end("next");
        },
        trustedProxies: 0,
        routeLabel: (p) => p,
        log: pino({ level: "silent" }),
        httpDuration: new Histogram({
          name: "test_http_duration_seconds",
          help: "test",
          labelNames: ["method", "route", "status"],
          registers: [new Registry()],
        }),
        stopping: () => false,
      },
      { inFlight: 0 },
    ),
  );
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** A raw request: fetch would not send a path that is not valid percent-encoding as is. */
  const get = (path: string) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body }));
      });
      req.on("error", reject);
      req.end();
    });

  it("answers a FHIR address that does not decode with a 400 OperationOutcome, before Next.js", async () => {
    const res = await get("/api/fhir/r4/%E0%A4%A");
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/fhir+json; charset=utf-8");
    expect(JSON.parse(res.body)).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "invalid" }] });
    expect(seen).not.toContain("/api/fhir/r4/%E0%A4%A");
  });

  it("answers any other address that does not decode with a 400 of its kind, never a 500", async () => {
    const api = await get("/api/appointments/%E0%A4%A");
    expect(api.status).toBe(400);
    expect(api.type).toBe("application/json");
    expect(JSON.parse(api.body)).toEqual({ error: "invalid" });
    const page = await get("/besok/%E0%A4%A");
    expect(page.status).toBe(400);
    expect(page.type).toBe("text/html; charset=utf-8");
    expect(page.body).toContain("Adressen är ogiltig");
    expect(seen.some((u) => u.includes("%E0%A4%A"))).toBe(false);
  });

  it("hands every address that decodes on", async () => {
    for (const path of ["/api/fhir/r4/Slot?name=%C3%A5", "/api/fhir", "/besok/%C3%A5", "/besok?x=%E0%A4%A"]) {
      expect((await get(path)).body, path).toBe("next");
      expect(seen).toContain(path);
    }
    // Only the path must decode; a query is the handler's to judge.
    expect(malformedPathAnswer("/api/fhir/r4/Slot?x=%E0%A4%A")).toBeNull();
    expect(malformedPathAnswer("/api/fhirx/%E0")?.contentType).toBe("application/json");
    expect(malformedPathAnswer("/api/fhir/%E0")?.contentType).toBe("application/fhir+json; charset=utf-8");
  });
});
