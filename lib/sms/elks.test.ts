import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startSmsSimulator, type SmsSimulator } from "../../simulators/sms/server";
import { startReceiver, waitFor, type Receiver } from "../../simulators/sms/testing";
import { ElksGateway, isValidSenderId, parseElksTime } from "./elks";
import { SmsError, type OutgoingSms } from "./types";

// Fictional numbers reserved for tests (shared/specs/sms-gateway.md).
const PATIENT = "+46701740605";
const CLINIC_NUMBER = "+46766861004";

const messageSchema = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  message: z.string(),
  parts: z.number(),
  status: z.string(),
  whendelivered: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  duplicates: z.number(),
  dontlog: z.boolean(),
});

let sim: SmsSimulator;
let gateway: ElksGateway;
const extra: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  sim = await startSmsSimulator({ dlrDeliveredDelayMs: 50 });
  gateway = new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo", timeoutMs: 2_000 });
});

afterEach(async () => {
  await Promise.all(extra.splice(0).map((s) => s.close()));
  await sim.close();
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  extra.push(r);
  return r;
}

async function stored() {
  const res = await fetch(`${sim.url}/__simulator/messages`);
  return z.object({ messages: z.array(messageSchema) }).parse(await res.json()).messages;
}

function control(path: string, body: unknown, base = sim.url): Promise<Response> {
  return fetch(`${base}/__simulator/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function reminder(overrides: Partial<OutgoingSms> = {}): OutgoingSms {
  return {
    idempotencyKey: "reminder-1",
    from: "Vårdtid",
    to: PATIENT,
    text: "Påminnelse: du har en tid i morgon kl. 09:30. Se https://vardtid.test/l/x7Yq",
    ...overrides,
  };
}

async function sendError(promise: Promise<unknown>): Promise<SmsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SmsError)) throw new Error(`expected an SmsError, got ${String(err)}`);
  return err;
}

describe("ElksGateway.send against the simulator", () => {
  it("sends once, with our key and dontlog, and returns the operator's id, parts and cost", async () => {
    const sent = await gateway.send(reminder());

    expect(sent).toEqual({ providerId: expect.stringMatching(/^s[0-9a-f]{32}$/), parts: 1, cost: 3500 });
    expect(await stored()).toMatchObject([
      {
        id: sent.providerId,
        from: "Vårdtid",
        to: PATIENT,
        message: reminder().text,
        parts: 1,
        idempotencyKey: "reminder-1",
        duplicates: 0,
        dontlog: true,
        whendelivered: null,
      },
    ]);
  });

  it("reports the parts of a long text as the operator counted them", async () => {
    expect(await gateway.send(reminder({ text: "ö".repeat(161) }))).toMatchObject({ parts: 2, cost: 7000 });
    const ucs2 = await gateway.send(reminder({ idempotencyKey: "reminder-2", text: `Hej ${"😀".repeat(34)}` }));
    expect(ucs2.parts).toBe(2);
  });

  it("gets sent, then delivered, reports at the callback and maps them", async () => {
    const app = await receiver();
    const callbackUrl = `${app.url.replace("http://", "http://vardtid:hemligt@")}/api/sms/status`;
    const sent = await gateway.send(reminder({ callbackUrl }));

    await waitFor(() => (app.requests.length >= 2 ? true : undefined), "two delivery reports");
    const auth = `Basic ${Buffer.from("vardtid:hemligt").toString("base64")}`;
    expect(app.requests.map((r) => r.headers.authorization)).toEqual([auth, auth]);

    const reports = app.requests.map((r) => gateway.parseDeliveryReport(r.form));
    expect(reports).toEqual([
      { providerId: sent.providerId, status: "sent" },
      { providerId: sent.providerId, status: "delivered", deliveredAt: expect.any(Date) },
    ]);
    expect(Math.abs((reports[1]?.deliveredAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("maps a failed report", async () => {
    const app = await receiver();
    await control("faults", { dlrStatus: "failed" });
    const sent = await gateway.send(reminder({ callbackUrl: `${app.url}/dlr` }));

    await waitFor(() => (app.requests.length >= 2 ? true : undefined), "two delivery reports");
    expect(gateway.parseDeliveryReport(app.requests[1]?.form ?? new URLSearchParams())).toEqual({
      providerId: sent.providerId,
      status: "failed",
    });
  });

  it("throws a final SmsError on bad credentials", async () => {
    const wrong = new ElksGateway({ baseUrl: sim.url, username: "demo", password: "nope" });
    const err = await sendError(wrong.send(reminder()));
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect(await stored()).toEqual([]);
  });

  it("throws a final SmsError with the operator's reason for an invalid number", async () => {
    const err = await sendError(gateway.send(reminder({ to: "0701740605" })));
    expect(err).toMatchObject({ retryable: false, status: 400 });
    expect(err.message).toContain("Invalid to number");
  });

  it("refuses an invalid sender id before calling the operator", async () => {
    for (const from of ["VårdtidSverige", "12345", "Vård-tid", "", "+4670"]) {
      const err = await sendError(gateway.send(reminder({ from })));
      expect(err.retryable).toBe(false);
      expect(err.status).toBeUndefined();
    }
    expect(await stored()).toEqual([]);
  });

  it("throws a retryable SmsError when the operator answers 503", async () => {
    await control("faults", { failRate: 1 });
    const err = await sendError(gateway.send(reminder()));
    expect(err).toMatchObject({ retryable: true, status: 503 });
    expect(await stored()).toEqual([]);
  });

  it("throws a retryable SmsError when the operator cannot be reached", async () => {
    const gone = await receiver();
    const baseUrl = gone.url;
    await gone.close();
    extra.splice(extra.indexOf(gone), 1);

    const err = await sendError(new ElksGateway({ baseUrl, username: "demo", password: "demo" }).send(reminder()));
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
  });

  it("repeats the key on a retry after a timeout, so the operator sees one SMS", async () => {
    await control("faults", { delayMs: 1_000 });
    const impatient = new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo", timeoutMs: 100 });
    const timedOut = await sendError(impatient.send(reminder()));
    expect(timedOut.retryable).toBe(true);

    await control("faults", {});
    const retried = await gateway.send(reminder());
    const list = await stored();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: retried.providerId, duplicates: 1 });
  });

  it("gets the first answer back for a duplicate key", async () => {
    const first = await gateway.send(reminder());
    const second = await gateway.send(reminder());
    expect(second).toEqual(first);
    expect((await stored()).map((m) => m.duplicates)).toEqual([1]);
  });

  it("starts from nothing after a simulator reset", async () => {
    await gateway.send(reminder());
    await control("reset", {});
    expect(await stored()).toEqual([]);
    const again = await gateway.send(reminder());
    expect((await stored())[0]).toMatchObject({ id: again.providerId, duplicates: 0 });
  });

  it("treats an unreadable 200 answer as final, since the SMS may be out", async () => {
    const broken = await receiver(() => ({ status: 200, body: "<html>ok</html>" }));
    const err = await sendError(
      new ElksGateway({ baseUrl: broken.url, username: "u", password: "p" }).send(reminder()),
    );
    expect(err).toMatchObject({ retryable: false, status: 200 });
  });

  it("masks phone numbers in the operator's reason, because callers log error messages", async () => {
    const chatty = await receiver(() => ({ status: 400, body: `Invalid to number ${PATIENT}` }));
    const err = await sendError(
      new ElksGateway({ baseUrl: chatty.url, username: "u", password: "p" }).send(reminder()),
    );
    expect(err.message).toBe("46elks answered 400: Invalid to number [number]");
    expect(chatty.requests[0]?.path).toBe("/a1/sms");
    expect(Object.fromEntries(chatty.requests[0]?.form ?? [])).toEqual({
      from: "Vårdtid",
      to: PATIENT,
      message: reminder().text,
      dontlog: "message",
    });
    expect(chatty.requests[0]?.headers["idempotency-key"]).toBe("reminder-1");
  });
});

describe("ElksGateway.parseIncoming", () => {
  it("reads a reply that the simulator forwards to sms_url", async () => {
    const app = await receiver();
    const withUrl = await startSmsSimulator({ smsUrl: `${app.url}/api/sms/incoming` });
    extra.push(withUrl);

    const res = await control("incoming", { from: PATIENT, to: CLINIC_NUMBER, message: "JA tack" }, withUrl.url);
    expect(res.status).toBe(200);
    const { id } = z.object({ id: z.string() }).parse(await res.json());

    expect(gateway.parseIncoming(app.requests[0]?.form ?? new URLSearchParams())).toEqual({
      providerId: id,
      from: PATIENT,
      to: CLINIC_NUMBER,
      text: "JA tack",
      receivedAt: expect.any(Date),
    });
  });

  it("ignores forms that are not incoming SMS", () => {
    const form = new URLSearchParams({
      id: "s1",
      from: PATIENT,
      to: CLINIC_NUMBER,
      message: "x",
      direction: "outgoing",
    });
    expect(gateway.parseIncoming(form)).toBeNull();
    expect(gateway.parseIncoming(new URLSearchParams({ id: "s1", from: PATIENT }))).toBeNull();
  });
});

describe("ElksGateway.parseDeliveryReport", () => {
  it("reads 46elks' zone-less microsecond times as UTC", () => {
    const report = gateway.parseDeliveryReport(
      new URLSearchParams({ id: "s1", status: "delivered", delivered: "2018-07-11T13:19:15.125000" }),
    );
    expect(report?.deliveredAt?.toISOString()).toBe("2018-07-11T13:19:15.125Z");
    expect(parseElksTime("2018-07-11T13:19:15Z")?.toISOString()).toBe("2018-07-11T13:19:15.000Z");
    expect(parseElksTime("yesterday")).toBeUndefined();
  });

  it("returns null for unknown statuses and missing ids", () => {
    expect(gateway.parseDeliveryReport(new URLSearchParams({ id: "s1", status: "bounced" }))).toBeNull();
    expect(gateway.parseDeliveryReport(new URLSearchParams({ status: "sent" }))).toBeNull();
  });
});

describe("isValidSenderId", () => {
  it.each(["Vårdtid", "Vardtid", "Klinik 2", "A", "ABCDEFGHIJK", CLINIC_NUMBER])("accepts %s", (from) => {
    expect(isValidSenderId(from)).toBe(true);
  });
  it.each(["ABCDEFGHIJKL", "1177", "Vård-tid", "Vårdtid!", "Clínica", "", " "])("refuses %j", (from) => {
    expect(isValidSenderId(from)).toBe(false);
  });
});
