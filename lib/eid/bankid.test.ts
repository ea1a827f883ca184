import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BankIdClient, encodeUserVisibleData } from "./bankid";
import { EidError } from "./types";

// Edge cases the simulator does not produce on purpose: answers from a broken proxy, a server
// that is not there, odd headers. The contract itself is tested in simulators/bankid.

type Responder = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

const servers: http.Server[] = [];
const clients: BankIdClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
});

async function stub(respond: Responder): Promise<{ baseUrl: string; requests: { path: string; body: string }[] }> {
  const requests: { path: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", body });
      respond(req, body, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/rp/v6.0/`, requests };
}

function client(baseUrl: string, extra: Partial<ConstructorParameters<typeof BankIdClient>[0]> = {}): BankIdClient {
  const c = new BankIdClient({ baseUrl, maintenanceBackoffMs: 1, ...extra });
  clients.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<EidError> {
  const outcome = await promise.then(
    () => new Error("expected the call to fail"),
    (err: unknown) => err,
  );
  if (!(outcome instanceof EidError)) throw outcome;
  return outcome;
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

describe("BankIdClient options", () => {
  it("refuses https without a pinned CA", () => {
    expect(() => new BankIdClient({ baseUrl: "https://appapi2.test.bankid.com/rp/v6.0/" })).toThrow(/tls\.ca/);
  });

  it("refuses certificates next to an http: URL", () => {
    expect(() => new BankIdClient({ baseUrl: "http://127.0.0.1:1/rp/v6.0/", tls: { ca: "x" } })).toThrow(/https/);
  });

  it("explains the openssl -legacy conversion when the PKCS#12 cannot be read", () => {
    expect(
      () =>
        new BankIdClient({
          baseUrl: "https://appapi2.test.bankid.com/rp/v6.0/",
          tls: { pfx: Buffer.from("not a pkcs12 file"), passphrase: "qwerty123", ca: "not a CA either" },
        }),
    ).toThrow(/openssl pkcs12 -legacy/);
  });

  it("adds the missing slash so paths stay under /rp/v6.0/", async () => {
    const s = await stub((_req, _body, res) => json(res, 200, {}));
    await client(s.baseUrl.replace(/\/$/, "")).cancel("ref");
    expect(s.requests[0]?.path).toBe("/rp/v6.0/cancel");
  });
});

describe("BankIdClient requests", () => {
  it("posts JSON without undefined fields, and stamps startedAt with its clock", async () => {
    const s = await stub((req, _body, res) => {
      expect(req.method).toBe("POST");
      expect(req.headers["content-type"]).toBe("application/json");
      json(res, 200, { orderRef: "o", autoStartToken: "a", qrStartToken: "q", qrStartSecret: "s" });
    });
    const order = await client(s.baseUrl, { now: () => 1234 }).startAuthentication({ endUserIp: "10.0.0.1" });
    expect(order).toEqual({
      orderRef: "o",
      autoStartToken: "a",
      qrStartToken: "q",
      qrStartSecret: "s",
      startedAt: 1234,
    });
    expect(JSON.parse(s.requests[0]?.body ?? "")).toEqual({ endUserIp: "10.0.0.1" });
  });

  it("encodes userVisibleData as base64 of UTF-8", () => {
    expect(Buffer.from(encodeUserVisibleData("Logga in på Vårdtid"), "base64").toString("utf8")).toBe(
      "Logga in på Vårdtid",
    );
  });

  it("reads a pending answer without hintCode as the generic hint", async () => {
    const s = await stub((_req, _body, res) => json(res, 200, { orderRef: "o", status: "pending" }));
    expect(await client(s.baseUrl).collect("o")).toEqual({ status: "pending", orderRef: "o", hintCode: "" });
  });
});

describe("BankIdClient errors", () => {
  it("maps a bodyless error answer by its HTTP status", async () => {
    const s = await stub((_req, _body, res) => {
      res.writeHead(500, { "Content-Type": "text/html" });
      res.end("<h1>Bad gateway</h1>");
    });
    const err = await rejection(client(s.baseUrl).collect("o"));
    expect(err).toMatchObject({ code: "internalError", rfa: "RFA5", retryable: false, httpStatus: 500 });
  });

  it("keeps an error code it does not know, shown as RFA22", async () => {
    const s = await stub((_req, _body, res) => json(res, 400, { errorCode: "brandNewCode", details: "x" }));
    const err = await rejection(client(s.baseUrl).collect("o"));
    expect(err).toMatchObject({ code: "brandNewCode", rfa: "RFA22", retryable: false, details: "collect: x" });
  });

  it("reports an unreadable 200 answer as invalidResponse, naming fields but not values", async () => {
    const s = await stub((_req, _body, res) =>
      json(res, 200, {
        orderRef: "o",
        status: "complete",
        completionData: { user: { personalNumber: "19121212121" } },
      }),
    );
    const err = await rejection(client(s.baseUrl).collect("o"));
    expect(err.code).toBe("invalidResponse");
    expect(err.details).toContain("completionData.user.personalNumber");
    expect(err.message).not.toContain("19121212121");
  });

  it("reports non-JSON 200 answers as invalidResponse", async () => {
    const s = await stub((_req, _body, res) => res.end("ok"));
    expect((await rejection(client(s.baseUrl).cancel("o"))).code).toBe("invalidResponse");
  });

  it("waits for a Retry-After given as an HTTP date", async () => {
    let calls = 0;
    const s = await stub((_req, _body, res) => {
      calls += 1;
      if (calls === 1) json(res, 429, { errorCode: "tooManyRequests" }, { "Retry-After": new Date(0).toUTCString() });
      else json(res, 200, {});
    });
    await client(s.baseUrl).cancel("o");
    expect(calls).toBe(2);
  });

  it("does not wait when the server asks for longer than allowed", async () => {
    const s = await stub((_req, _body, res) =>
      json(res, 429, { errorCode: "tooManyRequests" }, { "Retry-After": "120" }),
    );
    const err = await rejection(client(s.baseUrl, { maxRateLimitWaitMs: 1_000 }).cancel("o"));
    expect(err).toMatchObject({ code: "tooManyRequests", rfa: "RFA5", retryable: true, httpStatus: 429 });
    expect(s.requests).toHaveLength(1);
  });

  it("sends again on a fresh connection when the server reset the kept-alive one it was reused on", async () => {
    // The server answers the first request and keeps the connection; the next request on that same
    // connection is met with a reset (a server closing an idle connection just as it is reused).
    const seenOn = new Map<object, number>();
    const s = await stub((req, _body, res) => {
      const n = (seenOn.get(req.socket) ?? 0) + 1;
      seenOn.set(req.socket, n);
      if (n === 2) {
        req.socket.resetAndDestroy();
        return;
      }
      json(res, 200, {});
    });
    const c = client(s.baseUrl);
    await c.cancel("first");
    await expect(c.cancel("second")).resolves.toBeUndefined();
    // Both cancels reached the server; the second twice (reset, then a new connection).
    expect(s.requests.map((r) => JSON.parse(r.body).orderRef)).toEqual(["first", "second", "second"]);
    expect(seenOn.size).toBe(2);
  });

  it("does not send again when a fresh connection is reset", async () => {
    const s = await stub((req) => req.socket.resetAndDestroy());
    const err = await rejection(client(s.baseUrl).cancel("o"));
    expect(err).toMatchObject({ code: "network" });
    expect(s.requests).toHaveLength(1);
  });

  it("reports a refused connection as a retryable network error", async () => {
    const s = await stub((_req, _body, res) => json(res, 200, {}));
    const server = servers.pop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const err = await rejection(client(s.baseUrl).cancel("o"));
    expect(err).toMatchObject({ code: "network", rfa: "RFA5", retryable: true });
    expect(err.details).toContain("ECONNREFUSED");
  });
});
