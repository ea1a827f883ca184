import https from "node:https";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BankIdClient, encodeUserVisibleData } from "../../lib/eid/bankid";
import { qrData } from "../../lib/eid/qr";
import { rfaForHint } from "../../lib/eid/rfa";
import { EidError, type CollectResult } from "../../lib/eid/types";
import type { OrderSummary } from "./orders";
import { startBankIdSimulator, type BankIdSimulator } from "./server";
import { createTestPki, type TestPki } from "./test-pki";

// Contract tests: our BankID client against our simulator over real HTTP on a random port.
// The simulator's clock is frozen and moved by hand, so lifetimes and QR seconds are exact.

const TOLVAN = "191212121212";
const ELSA = "198112289874";
const START = Date.UTC(2025, 2, 3, 8, 0, 0);

let now = START;
let sim: BankIdSimulator;
let bankid: BankIdClient;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function post(path: string, body?: unknown, contentType = "application/json"): Promise<Answer> {
  const init: RequestInit = { method: "POST" };
  if (body !== undefined) {
    init.headers = { "Content-Type": contentType };
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const res = await fetch(`${sim.url}${path}`, init);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function get(path: string): Promise<Answer> {
  const res = await fetch(`${sim.url}${path}`);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
  };
}

async function control(path: string, body?: unknown): Promise<OrderSummary> {
  const answer = await post(`/__simulator/${path}`, body ?? {});
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as OrderSummary;
}

async function listOrders(): Promise<(OrderSummary & { autostartUrl: string | null })[]> {
  const answer = await get("/__simulator/orders");
  return (answer.body as { orders: (OrderSummary & { autostartUrl: string | null })[] }).orders;
}

async function rejection(promise: Promise<unknown>): Promise<EidError> {
  const outcome = await promise.then(
    () => new Error("expected the call to fail"),
    (err: unknown) => err,
  );
  if (!(outcome instanceof EidError)) throw outcome;
  return outcome;
}

function hintOf(result: CollectResult): string {
  if (result.status === "complete") throw new Error("expected pending or failed");
  return result.hintCode;
}

function newClient(extra: Partial<ConstructorParameters<typeof BankIdClient>[0]> = {}): BankIdClient {
  return new BankIdClient({ baseUrl: sim.apiUrl, maintenanceBackoffMs: 1, ...extra });
}

beforeAll(async () => {
  sim = await startBankIdSimulator({ port: 0, clock: () => now });
  bankid = newClient();
});

afterAll(async () => {
  bankid.close();
  await sim.close();
});

beforeEach(async () => {
  now = START;
  await post("/__simulator/reset");
});

describe("identification through QR code", () => {
  it("goes outstandingTransaction → started → userSign → complete with the identity", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });

    const first = await bankid.collect(order.orderRef);
    expect(first).toEqual({ status: "pending", orderRef: order.orderRef, hintCode: "outstandingTransaction" });
    expect(rfaForHint("pending", hintOf(first), "qr", "desktop")).toBe("RFA1");

    now += 3_000;
    const scanned = await control(`orders/${order.orderRef}/scan`, { personalNumber: TOLVAN });
    expect(scanned).toMatchObject({ status: "pending", hintCode: "started", startedBy: "qr" });

    const started = await bankid.collect(order.orderRef);
    expect(hintOf(started)).toBe("started");
    expect(rfaForHint("pending", "started", "qr", "desktop")).toBe("RFA15A");
    const signing = await bankid.collect(order.orderRef);
    expect(hintOf(signing)).toBe("userSign");
    expect(rfaForHint("pending", "userSign", "qr", "desktop")).toBe("RFA9");

    await control(`orders/${order.orderRef}/approve`);
    const done = await bankid.collect(order.orderRef);
    if (done.status !== "complete") throw new Error(`expected complete, got ${done.status}`);
    expect(done.identity).toEqual({
      personalNumber: TOLVAN,
      givenName: "Tolvan",
      surname: "Tolvansson",
      name: "Tolvan Tolvansson",
    });
    expect(done.device.ipAddress).toBe("192.0.2.7");
    expect(done.device.uhi).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(done.bankIdIssueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Buffer.from(done.signature, "base64").toString("utf8")).toMatch(
      /^<\?xml[\s\S]*<Signature[\s\S]*<\/Signature>$/,
    );
    expect(done.ocspResponse).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(done.stepUp).toBeUndefined();
    expect(done.risk).toBeUndefined();
  });

  it("completes for the identity the tester picked", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await control(`orders/${order.orderRef}/scan`, { personalNumber: ELSA });
    await control(`orders/${order.orderRef}/approve`, { personalNumber: ELSA });
    const done = await bankid.collect(order.orderRef);
    expect(done.status === "complete" && done.identity).toEqual({
      personalNumber: ELSA,
      givenName: "Elsa",
      surname: "Provsson",
      name: "Elsa Provsson",
    });
  });

  it("refuses a second collect of a finished order with invalidParameters", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await control(`orders/${order.orderRef}/approve`);
    expect((await bankid.collect(order.orderRef)).status).toBe("complete");

    const err = await rejection(bankid.collect(order.orderRef));
    expect(err).toMatchObject({ code: "invalidParameters", rfa: "RFA22", retryable: false, httpStatus: 400 });
  });
});

describe("the user or the relying party stops", () => {
  it("user cancel in the app: failed userCancel (RFA6)", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await control(`orders/${order.orderRef}/scan`, { personalNumber: TOLVAN });
    await control(`orders/${order.orderRef}/cancel`);
    const result = await bankid.collect(order.orderRef);
    expect(result).toEqual({ status: "failed", orderRef: order.orderRef, hintCode: "userCancel" });
    expect(rfaForHint("failed", "userCancel", "qr", "mobile")).toBe("RFA6");
  });

  it("relying-party cancel: the order is gone, collect is invalidParameters", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await bankid.cancel(order.orderRef);
    expect((await rejection(bankid.collect(order.orderRef))).code).toBe("invalidParameters");
    expect((await rejection(bankid.cancel(order.orderRef))).code).toBe("invalidParameters");
    const [listed] = await listOrders();
    expect(listed).toMatchObject({
      orderRef: order.orderRef,
      status: "failed",
      hintCode: "cancelled",
      cancelledByRp: true,
    });
  });

  it("a failure hint chosen by the test: failed certificateErr (RFA16)", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await control(`orders/${order.orderRef}/fail`, { hintCode: "certificateErr" });
    expect(hintOf(await bankid.collect(order.orderRef))).toBe("certificateErr");
  });

  it("control calls on a finished order answer 409, on an unknown one 404", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await control(`orders/${order.orderRef}/cancel`);
    expect((await post(`/__simulator/orders/${order.orderRef}/approve`, {})).status).toBe(409);
    expect((await post("/__simulator/orders/no-such-order/approve", {})).status).toBe(404);
  });
});

describe("lifetimes (injected clock)", () => {
  it("an order nobody picks up fails startFailed after 30 s", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    now += 29_999;
    expect(hintOf(await bankid.collect(order.orderRef))).toBe("outstandingTransaction");
    now += 1;
    const result = await bankid.collect(order.orderRef);
    expect(result).toEqual({ status: "failed", orderRef: order.orderRef, hintCode: "startFailed" });
    expect(rfaForHint("failed", "startFailed", "qr", "desktop")).toBe("RFA17B");
    expect(rfaForHint("failed", "startFailed", "autostart", "mobile")).toBe("RFA17A");
  });

  it("a picked-up order nobody completes fails expiredTransaction after 3 minutes", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    now += 5_000;
    await control(`orders/${order.orderRef}/scan`, { personalNumber: TOLVAN });
    now = START + 179_999;
    expect(hintOf(await bankid.collect(order.orderRef))).toBe("started");
    now = START + 180_000;
    expect(hintOf(await bankid.collect(order.orderRef))).toBe("expiredTransaction");
    expect(rfaForHint("failed", "expiredTransaction", "qr", "desktop")).toBe("RFA8");
  });

  it("applies the lifetime that passed first even if nobody looked in between", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    now += 10 * 60_000;
    expect(hintOf(await bankid.collect(order.orderRef))).toBe("startFailed");
  });

  it("uses the configured lifetimes", async () => {
    const quick = await startBankIdSimulator({ clock: () => now, startFailedAfterMs: 1_000, expireAfterMs: 2_000 });
    const client = new BankIdClient({ baseUrl: quick.apiUrl });
    try {
      const a = await client.startAuthentication({ endUserIp: "192.0.2.7" });
      const b = await client.startAuthentication({ endUserIp: "192.0.2.7" });
      await fetch(`${quick.url}/__simulator/orders/${b.orderRef}/scan`, { method: "POST" });
      now += 2_000;
      expect(hintOf(await client.collect(a.orderRef))).toBe("startFailed");
      expect(hintOf(await client.collect(b.orderRef))).toBe("expiredTransaction");
    } finally {
      client.close();
      await quick.close();
    }
  });
});

describe("alreadyInProgress", () => {
  it("refuses a second order for the same person (RFA4) and cancels the first", async () => {
    const first = await bankid.auth({ endUserIp: "192.0.2.7", requirement: { personalNumber: TOLVAN } });
    const err = await rejection(bankid.auth({ endUserIp: "192.0.2.8", requirement: { personalNumber: TOLVAN } }));
    expect(err).toMatchObject({ code: "alreadyInProgress", rfa: "RFA4", retryable: false, httpStatus: 400 });

    const result = await bankid.collect(first.orderRef);
    expect(result).toEqual({ status: "failed", orderRef: first.orderRef, hintCode: "cancelled" });
    expect(rfaForHint("failed", "cancelled", "qr", "desktop")).toBe("RFA3");
    // No order was made for the second call.
    expect(await listOrders()).toHaveLength(1);
  });

  it("lets another person start meanwhile", async () => {
    await bankid.auth({ endUserIp: "192.0.2.7", requirement: { personalNumber: TOLVAN } });
    await expect(bankid.auth({ endUserIp: "192.0.2.7", requirement: { personalNumber: ELSA } })).resolves.toMatchObject(
      {
        orderRef: expect.any(String),
      },
    );
  });

  it("applies the same rule when the app picks up a second order for the same person", async () => {
    const a = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    const b = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await control(`orders/${a.orderRef}/scan`, { personalNumber: TOLVAN });

    const refused = await post(`/__simulator/orders/${b.orderRef}/scan`, { personalNumber: TOLVAN });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ errorCode: "alreadyInProgress" });
    expect(await bankid.collect(a.orderRef)).toMatchObject({ status: "failed", hintCode: "cancelled" });

    // The refused order was not picked up; scanning it again now works.
    expect(hintOf(await bankid.collect(b.orderRef))).toBe("outstandingTransaction");
    await control(`orders/${b.orderRef}/scan`, { personalNumber: TOLVAN });
    expect(hintOf(await bankid.collect(b.orderRef))).toBe("started");
  });

  it("only lets the required person complete an order", async () => {
    const order = await bankid.auth({ endUserIp: "192.0.2.7", requirement: { personalNumber: TOLVAN } });
    const wrong = await post(`/__simulator/orders/${order.orderRef}/approve`, { personalNumber: ELSA });
    expect(wrong.status).toBe(400);
    await control(`orders/${order.orderRef}/approve`);
    const done = await bankid.collect(order.orderRef);
    expect(done.status === "complete" && done.identity.personalNumber).toBe(TOLVAN);
  });
});

describe("faults", () => {
  it("retries 503 maintenance quietly and recovers", async () => {
    await post("/__simulator/faults", { status: 503, count: 2 });
    const order = await newClient({ maintenanceRetries: 3 }).startAuthentication({ endUserIp: "192.0.2.7" });
    expect(order.orderRef).toEqual(expect.any(String));
    expect(await listOrders()).toHaveLength(1);
  });

  it("gives up with maintenance (RFA5) when it lasts, and works once it is over", async () => {
    await post("/__simulator/faults", { status: 503, count: 3 });
    const client = newClient({ maintenanceRetries: 2 });
    try {
      const err = await rejection(client.startAuthentication({ endUserIp: "192.0.2.7" }));
      expect(err).toMatchObject({ code: "maintenance", rfa: "RFA5", retryable: true, httpStatus: 503 });
      await expect(client.startAuthentication({ endUserIp: "192.0.2.7" })).resolves.toBeDefined();
    } finally {
      client.close();
    }
  });

  it("does not retry a 500 internalError", async () => {
    await post("/__simulator/faults", { status: 500, count: 2 });
    const err = await rejection(bankid.startAuthentication({ endUserIp: "192.0.2.7" }));
    expect(err).toMatchObject({ code: "internalError", rfa: "RFA5", retryable: false });
    // One attempt used one fault: the second is still waiting.
    expect((await rejection(bankid.startAuthentication({ endUserIp: "192.0.2.7" }))).code).toBe("internalError");
    await expect(bankid.startAuthentication({ endUserIp: "192.0.2.7" })).resolves.toBeDefined();
  });

  it("honours Retry-After once on 429", async () => {
    await post("/__simulator/faults", { status: 429, count: 1, retryAfterSeconds: 0 });
    await expect(bankid.startAuthentication({ endUserIp: "192.0.2.7" })).resolves.toBeDefined();

    await post("/__simulator/faults", { status: 429, count: 2, retryAfterSeconds: 0 });
    const err = await rejection(bankid.startAuthentication({ endUserIp: "192.0.2.7" }));
    expect(err).toMatchObject({ code: "tooManyRequests", httpStatus: 429 });
  });

  it("times out a slow answer as requestTimeout (RFA5), without retrying", async () => {
    await post("/__simulator/faults", { delayMs: 2_000 });
    const client = newClient({ timeoutMs: 100 });
    try {
      const err = await rejection(client.collect("whatever"));
      expect(err).toMatchObject({ code: "requestTimeout", rfa: "RFA5", retryable: false });
      expect(err.httpStatus).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it("answers a fault with the chosen errorCode", async () => {
    await post("/__simulator/faults", { status: 401, errorCode: "unauthorized" });
    const err = await rejection(bankid.startAuthentication({ endUserIp: "192.0.2.7" }));
    expect(err).toMatchObject({ code: "unauthorized", rfa: "RFA22", httpStatus: 401 });
  });

  it("reset forgets orders and faults", async () => {
    await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    await post("/__simulator/faults", { status: 500, count: 5 });
    await post("/__simulator/reset");
    expect(await listOrders()).toEqual([]);
    await expect(bankid.startAuthentication({ endUserIp: "192.0.2.7" })).resolves.toBeDefined();
  });
});

describe("QR codes and autostart in the test app", () => {
  it("accepts the code of the current second ±1 and rejects others", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    now += 5_400; // t = 5
    const scan = (t: number) =>
      post("/app/api/scan-qr", { qrData: qrData(order.qrStartToken, order.qrStartSecret, t) });

    expect((await scan(3)).status).toBe(400);
    expect((await scan(7)).status).toBe(400);
    const wrongCode = `bankid.${order.qrStartToken}.5.${"0".repeat(64)}`;
    expect((await post("/app/api/scan-qr", { qrData: wrongCode })).status).toBe(400);
    const wrongSecret = qrData(order.qrStartToken, "not-the-secret", 5);
    expect((await post("/app/api/scan-qr", { qrData: wrongSecret })).status).toBe(400);
    expect(hintOf(await bankid.collect(order.orderRef))).toBe("outstandingTransaction");

    const accepted = await scan(5);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ orderRef: order.orderRef, startedBy: "qr", hintCode: "started" });
  });

  it.each([4, 6])("accepts t=%i one second off", async (t) => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    now += 5_000;
    const answer = await post("/app/api/scan-qr", { qrData: qrData(order.qrStartToken, order.qrStartSecret, t) });
    expect(answer.status).toBe(200);
  });

  it("accepts t=0 right after the order was made", async () => {
    const order = await bankid.startAuthentication({ endUserIp: "192.0.2.7" });
    const answer = await post("/app/api/scan-qr", {
      qrData: qrData(order.qrStartToken, order.qrStartSecret, 0),
      personalNumber: TOLVAN,
    });
    expect(answer.status).toBe(200);
  });

  it("opens an order by its autostart token; the app page takes the token in its URL", async () => {
    const order = await bankid.startAuthentication({
      endUserIp: "192.0.2.7",
      returnUrl: "https://vardtid.test/login/klar",
    });
    const [listed] = await listOrders();
    expect(listed?.autostartUrl).toBe(`${sim.appUrl}?autostarttoken=${order.autoStartToken}&redirect=null`);

    const page = await get(`/app?autostarttoken=${order.autoStartToken}&redirect=null`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(order.autoStartToken);

    const opened = await post("/app/api/open-autostart", {
      autoStartToken: order.autoStartToken,
      personalNumber: TOLVAN,
    });
    expect(opened.body).toMatchObject({ startedBy: "autostart", returnUrl: "https://vardtid.test/login/klar" });
    expect(hintOf(await bankid.collect(order.orderRef))).toBe("started");
    expect(rfaForHint("pending", "started", "autostart", "mobile")).toBe("RFA15B");

    const again = await post("/app/api/open-autostart", { autoStartToken: order.autoStartToken });
    expect(again.status).toBe(409);
    expect((await post("/app/api/open-autostart", { autoStartToken: "nope" })).status).toBe(400);
  });

  it.each(["/", "/app"])("serves the test app at %s with no external resources", async (path) => {
    const page = await get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = String(page.body);
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain("Tolvan Tolvansson");
    expect(html).toContain("Identifiera");
    expect(html).toContain("Avbryt");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("escapes what arrives in the URL", async () => {
    const page = await get(`/app?autostarttoken=${encodeURIComponent("</script><script>alert(1)</script>")}`);
    expect(String(page.body)).not.toContain("<script>alert(1)");
  });
});

describe("other order kinds", () => {
  it("sign shows the text to the app and signs it", async () => {
    const text = "Jag godkänner att Vårdtid hämtar mina bokningar.";
    const order = await bankid.sign({ endUserIp: "192.0.2.7", userVisibleData: encodeUserVisibleData(text) });
    const [listed] = await listOrders();
    expect(listed).toMatchObject({ kind: "sign", operation: "sign", userVisibleText: text });
    await control(`orders/${order.orderRef}/approve`);
    const done = await bankid.collect(order.orderRef);
    if (done.status !== "complete") throw new Error("expected complete");
    expect(Buffer.from(done.signature, "base64").toString("utf8")).toContain(encodeUserVisibleData(text));
  });

  it("mrtd and returnRisk add the userMrtd step, stepUp and risk", async () => {
    const order = await bankid.auth({ endUserIp: "192.0.2.7", requirement: { mrtd: true }, returnRisk: true });
    await control(`orders/${order.orderRef}/scan`, { personalNumber: TOLVAN });
    const hints = [];
    for (let i = 0; i < 3; i++) hints.push(hintOf(await bankid.collect(order.orderRef)));
    expect(hints).toEqual(["started", "userMrtd", "userSign"]);
    await control(`orders/${order.orderRef}/approve`);
    const done = await bankid.collect(order.orderRef);
    expect(done.status === "complete" && [done.stepUp, done.risk]).toEqual([{ mrtd: true }, "low"]);
  });

  it("phone/auth answers with orderRef only and asks the user to confirm the call", async () => {
    const { orderRef } = await bankid.phoneAuth({ personalNumber: ELSA, callInitiator: "RP" });
    const [listed] = await listOrders();
    expect(listed).toMatchObject({
      kind: "phone",
      callInitiator: "RP",
      requiresPersonalNumber: true,
      autoStartToken: null,
    });
    await control(`orders/${orderRef}/scan`);
    expect(hintOf(await bankid.collect(orderRef))).toBe("userCallConfirm");
    expect(hintOf(await bankid.collect(orderRef))).toBe("started");
    await control(`orders/${orderRef}/approve`);
    const done = await bankid.collect(orderRef);
    expect(done.status === "complete" && done.identity.personalNumber).toBe(ELSA);
  });

  it("phone orders do not fail startFailed, only expire", async () => {
    const { orderRef } = await bankid.phoneSign({
      personalNumber: ELSA,
      callInitiator: "user",
      userVisibleData: encodeUserVisibleData("Samtycke"),
    });
    now += 60_000;
    expect(hintOf(await bankid.collect(orderRef))).toBe("outstandingTransaction");
    now += 120_000;
    expect(hintOf(await bankid.collect(orderRef))).toBe("expiredTransaction");
  });
});

describe("wire format, as a third-party client sees it (raw fetch)", () => {
  const api = (path: string) => `/rp/v6.0/${path}`;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it("auth → collect → complete, field for field", async () => {
    const auth = await post(api("auth"), { endUserIp: "2001:db8::1" });
    expect(auth.status).toBe(200);
    expect(auth.headers.get("content-type")).toMatch(/^application\/json/);
    const order = auth.body as Record<string, string>;
    expect(Object.keys(order).sort()).toEqual(["autoStartToken", "orderRef", "qrStartSecret", "qrStartToken"]);
    for (const value of Object.values(order)) expect(value).toMatch(UUID);

    const pending = await post(api("collect"), { orderRef: order.orderRef });
    expect(pending.body).toEqual({ orderRef: order.orderRef, status: "pending", hintCode: "outstandingTransaction" });

    await control(`orders/${order.orderRef}/approve`);
    const complete = await post(api("collect"), { orderRef: order.orderRef });
    const body = complete.body as { completionData: Record<string, unknown> } & Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["completionData", "orderRef", "status"]);
    expect(body.status).toBe("complete");
    expect(Object.keys(body.completionData).sort()).toEqual(
      ["bankIdIssueDate", "device", "ocspResponse", "signature", "user"].sort(),
    );
    expect(body.completionData.user).toEqual({
      personalNumber: TOLVAN,
      name: "Tolvan Tolvansson",
      givenName: "Tolvan",
      surname: "Tolvansson",
    });
    expect(body.completionData.device).toEqual({ ipAddress: "2001:db8::1", uhi: expect.any(String) });

    const again = await post(api("collect"), { orderRef: order.orderRef });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ errorCode: "invalidParameters", details: expect.any(String) });
  });

  it("cancel answers {}", async () => {
    const auth = await post(api("auth"), { endUserIp: "192.0.2.7" });
    const cancel = await post(api("cancel"), { orderRef: (auth.body as { orderRef: string }).orderRef });
    expect(cancel).toMatchObject({ status: 200, body: {} });
  });

  it("phone/auth answers {orderRef} only", async () => {
    const answer = await post(api("phone/auth"), { personalNumber: TOLVAN, callInitiator: "user" });
    expect(Object.keys(answer.body as object)).toEqual(["orderRef"]);
  });

  it("accepts a charset on the content type", async () => {
    const answer = await post(
      api("auth"),
      JSON.stringify({ endUserIp: "192.0.2.7" }),
      "application/json; charset=UTF-8",
    );
    expect(answer.status).toBe(200);
  });

  it("405 methodNotAllowed for GET", async () => {
    const res = await fetch(`${sim.url}${api("auth")}`);
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ errorCode: "methodNotAllowed", details: expect.any(String) });
  });

  it("415 unsupportedMediaType for a form post", async () => {
    const answer = await post(api("auth"), "endUserIp=192.0.2.7", "application/x-www-form-urlencoded");
    expect(answer).toMatchObject({ status: 415, body: { errorCode: "unsupportedMediaType" } });
  });

  it("404 notFound for an unknown path, also through the client", async () => {
    const answer = await post(api("nothing"), {});
    expect(answer).toMatchObject({ status: 404, body: { errorCode: "notFound" } });
    const v5 = new BankIdClient({ baseUrl: `${sim.url}/rp/v5.1/` });
    try {
      expect(await rejection(v5.startAuthentication({ endUserIp: "192.0.2.7" }))).toMatchObject({
        code: "notFound",
        rfa: "RFA22",
        httpStatus: 404,
      });
    } finally {
      v5.close();
    }
  });

  it.each([
    ["missing endUserIp", "auth", {}, "Missing endUserIp"],
    ["bad endUserIp", "auth", { endUserIp: "300.1.1.1" }, "Incorrect endUserIp"],
    ["v5-style top-level personalNumber", "auth", { endUserIp: "192.0.2.7", personalNumber: TOLVAN }, "personalNumber"],
    [
      "personalNumber with a bad check digit",
      "auth",
      { endUserIp: "192.0.2.7", requirement: { personalNumber: "191212121213" } },
      "Incorrect requirement.personalNumber",
    ],
    [
      "unknown cardReader",
      "auth",
      { endUserIp: "192.0.2.7", requirement: { cardReader: "class3" } },
      "Incorrect requirement.cardReader",
    ],
    [
      "returnUrl over 512 characters",
      "auth",
      { endUserIp: "192.0.2.7", returnUrl: `https://x.test/${"a".repeat(500)}` },
      "Incorrect returnUrl",
    ],
    [
      "userVisibleData not base64",
      "auth",
      { endUserIp: "192.0.2.7", userVisibleData: "inte base64!" },
      "Incorrect userVisibleData",
    ],
    ["sign without userVisibleData", "sign", { endUserIp: "192.0.2.7" }, "Missing userVisibleData"],
    ["phone/auth without callInitiator", "phone/auth", { personalNumber: TOLVAN }, "Missing callInitiator"],
    [
      "phone/auth with a bad callInitiator",
      "phone/auth",
      { personalNumber: TOLVAN, callInitiator: "bank" },
      "Incorrect callInitiator",
    ],
    ["collect without orderRef", "collect", {}, "Missing orderRef"],
    ["collect of an unknown order", "collect", { orderRef: "00000000-0000-4000-8000-000000000000" }, "No such order"],
    ["a JSON array", "auth", [], "JSON object"],
    ["broken JSON", "auth", "{endUserIp:", "not valid JSON"],
  ])("400 invalidParameters: %s", async (_label, path, body, details) => {
    const answer = await post(api(path), body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errorCode: "invalidParameters", details: expect.stringContaining(details) });
    // Details name the field, never echo a personal number back.
    expect(JSON.stringify(answer.body)).not.toMatch(/\d{12}/);
  });
});

describe("mutual TLS", () => {
  let pki: TestPki;
  let tlsSim: BankIdSimulator;

  beforeAll(async () => {
    pki = createTestPki();
    tlsSim = await startBankIdSimulator({
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true },
    });
  });

  afterAll(async () => {
    await tlsSim?.close();
    pki?.remove();
  });

  function tlsControl(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${tlsSim.url}/__simulator/${path}`,
        { method: "POST", ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey, agent: false },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("serves a client with a certificate from the trusted CA (PEM)", async () => {
    expect(tlsSim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new BankIdClient({
      baseUrl: tlsSim.apiUrl,
      tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert },
    });
    try {
      const order = await client.startAuthentication({ endUserIp: "192.0.2.7" });
      expect(hintOf(await client.collect(order.orderRef))).toBe("outstandingTransaction");
      expect(await tlsControl(`orders/${order.orderRef}/approve`)).toBe(200);
      const done = await client.collect(order.orderRef);
      expect(done.status === "complete" && done.identity.personalNumber).toBe(TOLVAN);
    } finally {
      client.close();
    }
  });

  it("serves a client with a PKCS#12 file and passphrase", async () => {
    const client = new BankIdClient({
      baseUrl: tlsSim.apiUrl,
      tls: { pfx: pki.clientPfx, passphrase: pki.clientPfxPassphrase, ca: pki.caCert },
    });
    try {
      await expect(client.startAuthentication({ endUserIp: "192.0.2.7" })).resolves.toMatchObject({
        orderRef: expect.any(String),
      });
    } finally {
      client.close();
    }
  });

  it("refuses a client certificate from another CA", async () => {
    const client = new BankIdClient({
      baseUrl: tlsSim.apiUrl,
      tls: { cert: pki.badClientCert, key: pki.badClientKey, ca: pki.caCert },
    });
    try {
      const err = await rejection(client.startAuthentication({ endUserIp: "192.0.2.7" }));
      // Node's TLS server drops such a connection without an alert, so the client sees a reset.
      expect(err).toMatchObject({ code: "network", rfa: "RFA5", retryable: false });
      expect(err.httpStatus).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it("refuses a client without a certificate (unauthorized)", async () => {
    const client = new BankIdClient({ baseUrl: tlsSim.apiUrl, tls: { ca: pki.caCert } });
    try {
      const err = await rejection(client.startAuthentication({ endUserIp: "192.0.2.7" }));
      expect(err).toMatchObject({ code: "unauthorized", rfa: "RFA22", retryable: false });
      expect(err.details).toMatch(/CERTIFICATE_REQUIRED/);
    } finally {
      client.close();
    }
  });

  it("trusts only the pinned CA for the server", async () => {
    const client = new BankIdClient({
      baseUrl: tlsSim.apiUrl,
      tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.otherCaCert },
    });
    try {
      const err = await rejection(client.startAuthentication({ endUserIp: "192.0.2.7" }));
      expect(err).toMatchObject({ code: "network", retryable: false });
      expect(err.details).toMatch(/server certificate not trusted/);
    } finally {
      client.close();
    }
  });

  it("keeps the control API behind the client certificate too", async () => {
    const status = await new Promise<string>((resolve) => {
      const req = https.request(
        `${tlsSim.url}/__simulator/reset`,
        { method: "POST", ca: pki.caCert, agent: false },
        (res) => {
          res.resume();
          resolve(`HTTP ${res.statusCode}`);
        },
      );
      req.on("error", (err: NodeJS.ErrnoException) => resolve(`refused ${err.code}`));
      req.end();
    });
    expect(status).toMatch(/^refused /);
  });
});
