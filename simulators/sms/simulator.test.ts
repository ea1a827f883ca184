import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startSmsSimulator, type SmsSimulator } from "./server";
import { basicAuth, startReceiver, waitFor, type Receiver } from "./testing";

// Fictional numbers reserved for tests (shared/specs/sms-gateway.md).
const PATIENT = "+46701740605";
const OTHER_PATIENT = "+46701740606";
const CLINIC_NUMBER = "+46766861004";

const sendAnswerSchema = z.strictObject({
  status: z.literal("created"),
  direction: z.literal("outgoing"),
  from: z.string(),
  to: z.string(),
  message: z.string().optional(),
  created: z.iso.datetime(),
  id: z.string().regex(/^s[0-9a-f]{32}$/),
  parts: z.number().int().positive(),
  cost: z.number().int().nonnegative(),
});

const messageSchema = z.strictObject({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  message: z.string(),
  parts: z.number(),
  cost: z.number(),
  created: z.iso.datetime(),
  status: z.enum(["created", "sent", "delivered", "failed"]),
  delivered: z.iso.datetime().nullable(),
  whendelivered: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  duplicates: z.number(),
  dontlog: z.boolean(),
  flashsms: z.boolean(),
});
type SimMessage = z.infer<typeof messageSchema>;

let sim: SmsSimulator;
const extra: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  sim = await startSmsSimulator({ dlrDeliveredDelayMs: 50, callbackRetryDelaysMs: [20, 20] });
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

/** A send as 46elks' own docs show it: form body, Basic auth, nothing else. */
function send(fields: Record<string, string>, init: { auth?: string; headers?: Record<string, string> } = {}) {
  return fetch(`${sim.url}/a1/sms`, {
    method: "POST",
    headers: {
      Authorization: init.auth ?? basicAuth("demo", "demo"),
      "Content-Type": "application/x-www-form-urlencoded",
      ...init.headers,
    },
    body: new URLSearchParams(fields),
  });
}

async function messages(to?: string, base = sim.url): Promise<SimMessage[]> {
  const query = to === undefined ? "" : `?to=${encodeURIComponent(to)}`;
  const res = await fetch(`${base}/__simulator/messages${query}`);
  expect(res.status).toBe(200);
  return z.object({ messages: z.array(messageSchema) }).parse(await res.json()).messages;
}

async function control(path: string, body: unknown, base = sim.url): Promise<Response> {
  return fetch(`${base}/__simulator/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("POST /a1/sms", () => {
  it("answers a plain third-party client with the 46elks JSON shape", async () => {
    const before = Date.now();
    const res = await fetch(`${sim.url}/a1/sms`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from("demo:demo").toString("base64")}` },
      body: new URLSearchParams({ from: "Vardtid", to: PATIENT, message: "Hej! Du har en ny tid." }),
    });

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const answer = sendAnswerSchema.parse(await res.json());
    expect(answer).toMatchObject({
      status: "created",
      direction: "outgoing",
      from: "Vardtid",
      to: PATIENT,
      message: "Hej! Du har en ny tid.",
      parts: 1,
      cost: 3500,
    });
    expect(answer.created).toMatch(/Z$/);
    expect(Date.parse(answer.created)).toBeGreaterThanOrEqual(before - 1000);

    const [stored] = await messages();
    expect(stored).toMatchObject({ id: answer.id, status: expect.any(String), duplicates: 0 });
  });

  it("omits the text from the answer with dontlog=message but keeps it for the inbox", async () => {
    const res = await send({ from: "Vårdtid", to: PATIENT, message: "Påminnelse", dontlog: "message" });
    const answer = sendAnswerSchema.parse(await res.json());
    expect(answer).not.toHaveProperty("message");
    expect((await messages())[0]).toMatchObject({ message: "Påminnelse", dontlog: true });
  });

  it("counts parts by encoding and prices each part", async () => {
    const long = sendAnswerSchema.parse(
      await (await send({ from: "Vardtid", to: PATIENT, message: "å".repeat(161) })).json(),
    );
    expect(long).toMatchObject({ parts: 2, cost: 7000 });
    const emoji = sendAnswerSchema.parse(
      await (await send({ from: "Vardtid", to: PATIENT, message: `${"a".repeat(66)}😀${"a".repeat(66)}` })).json(),
    );
    expect(emoji.parts).toBe(3);
  });

  it("answers 401 to missing or wrong credentials and stores nothing", async () => {
    const fields = { from: "Vardtid", to: PATIENT, message: "Hej" };
    const missing = await fetch(`${sim.url}/a1/sms`, { method: "POST", body: new URLSearchParams(fields) });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect((await send(fields, { auth: basicAuth("demo", "wrong") })).status).toBe(401);
    expect((await send(fields, { auth: basicAuth("wrong", "demo") })).status).toBe(401);
    expect(await messages()).toEqual([]);
  });

  it.each([
    [{ from: "Vardtid", to: "0701740605", message: "Hej" }, "Invalid to number"],
    [{ from: "Vardtid", to: "+46 70 174 06 05", message: "Hej" }, "Invalid to number"],
    [{ from: "Vårdtid Sverige", to: PATIENT, message: "Hej" }, "Invalid from"],
    [{ from: "12345", to: PATIENT, message: "Hej" }, "Invalid from"],
    [{ from: "Vård-tid", to: PATIENT, message: "Hej" }, "Invalid from"],
    [{ from: "Vardtid", to: PATIENT }, "Missing key message"],
    [{ to: PATIENT, message: "Hej" }, "Missing key from"],
    [{ from: "Vardtid", to: PATIENT, message: "Hej", whendelivered: "ftp://example.test" }, "Invalid whendelivered"],
    [{ from: "Vardtid", to: PATIENT, message: "Hej", dontlog: "yes" }, "Invalid dontlog"],
  ])("answers 400 in plain text naming the bad field (%o)", async (fields, reason) => {
    const res = await send(fields);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(reason);
    expect(await messages()).toEqual([]);
  });

  it("reads an unencoded + in a number as 46elks' curl example sends it", async () => {
    const res = await fetch(`${sim.url}/a1/sms`, {
      method: "POST",
      headers: {
        Authorization: basicAuth("demo", "demo"),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: `from=${CLINIC_NUMBER}&to=${PATIENT}&message=Hej`,
    });
    expect(res.status).toBe(200);
    expect(sendAnswerSchema.parse(await res.json())).toMatchObject({ from: CLINIC_NUMBER, to: PATIENT });
  });

  it("accepts a Swedish alphanumeric sender and an E.164 sender", async () => {
    expect((await send({ from: "Vårdtid", to: PATIENT, message: "Hej" })).status).toBe(200);
    expect((await send({ from: CLINIC_NUMBER, to: PATIENT, message: "Hej" })).status).toBe(200);
  });

  it("prices a dry run and stores nothing", async () => {
    const res = await send({ from: "Vardtid", to: PATIENT, message: "ä".repeat(200), dryrun: "yes" });
    expect(res.status).toBe(200);
    const answer = z
      .object({ estimated_cost: z.number(), parts: z.number() })
      .passthrough()
      .parse(await res.json());
    expect(answer).toMatchObject({ estimated_cost: 7000, parts: 2 });
    expect(answer).not.toHaveProperty("id");
    expect(await messages()).toEqual([]);
  });

  it("answers a repeated Idempotency-Key with the first answer and counts the duplicate", async () => {
    const fields = { from: "Vardtid", to: PATIENT, message: "Hej" };
    const headers = { "Idempotency-Key": "reminder-42" };
    const first = sendAnswerSchema.parse(await (await send(fields, { headers })).json());
    const again = sendAnswerSchema.parse(await (await send(fields, { headers })).json());
    expect(again).toEqual(first);

    const other = sendAnswerSchema.parse(
      await (await send(fields, { headers: { "Idempotency-Key": "reminder-43" } })).json(),
    );
    expect(other.id).not.toBe(first.id);

    const list = await messages();
    expect(list.map((m) => [m.id, m.idempotencyKey, m.duplicates])).toEqual([
      [first.id, "reminder-42", 1],
      [other.id, "reminder-43", 0],
    ]);
  });

  it("refuses other methods", async () => {
    const res = await fetch(`${sim.url}/a1/sms`);
    expect(res.status).toBe(405);
  });
});

describe("delivery reports", () => {
  it("POSTs sent, then delivered, to whendelivered with the URL's Basic auth", async () => {
    const app = await receiver();
    const callback = `${app.url.replace("http://", "http://reports:s%C3%A9cret@")}/api/sms/status?k=opaque`;
    const answer = sendAnswerSchema.parse(
      await (await send({ from: "Vardtid", to: PATIENT, message: "Hej", whendelivered: callback })).json(),
    );

    await waitFor(() => (app.requests.length >= 2 ? true : undefined), "two reports");
    const [sent, delivered] = app.requests;
    for (const report of [sent, delivered]) {
      expect(report?.path).toBe("/api/sms/status?k=opaque");
      expect(report?.headers.authorization).toBe(basicAuth("reports", "sécret"));
      expect(report?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
    expect(Object.fromEntries(sent?.form ?? [])).toEqual({ id: answer.id, status: "sent" });
    expect(Object.fromEntries(delivered?.form ?? [])).toEqual({
      id: answer.id,
      status: "delivered",
      delivered: expect.stringMatching(/Z$/),
    });

    const [stored] = await messages();
    expect(stored).toMatchObject({ status: "delivered", whendelivered: callback });
    expect(stored?.delivered).toBe(delivered?.form.get("delivered"));
  });

  it("reports failed without a delivered time when the fault says so", async () => {
    const app = await receiver();
    await control("faults", { dlrStatus: "failed" });
    await send({ from: "Vardtid", to: PATIENT, message: "Hej", whendelivered: `${app.url}/dlr` });

    await waitFor(() => (app.requests.length >= 2 ? true : undefined), "two reports");
    expect(app.requests.map((r) => r.form.get("status"))).toEqual(["sent", "failed"]);
    expect(app.requests[1]?.form.has("delivered")).toBe(false);
    expect((await messages())[0]?.status).toBe("failed");
  });

  it("withholds reports when asked, while the message still reaches the phone", async () => {
    const app = await receiver();
    await control("faults", { withholdDlr: true });
    await send({ from: "Vardtid", to: PATIENT, message: "Hej", whendelivered: `${app.url}/dlr` });

    // Reports go out at the moment the status changes, so once it is final none can be pending.
    await waitFor(async () => ((await messages())[0]?.status === "delivered" ? true : undefined), "delivery");
    expect(app.requests).toEqual([]);
  });

  it("retries a report the receiver did not accept", async () => {
    const app = await receiver((_req, index) => ({ status: index === 0 ? 500 : 204 }));
    await send({ from: "Vardtid", to: PATIENT, message: "Hej", whendelivered: `${app.url}/dlr` });

    await waitFor(() => (app.requests.length >= 3 ? true : undefined), "retried reports");
    expect(app.requests.map((r) => r.form.get("status"))).toEqual(["sent", "sent", "delivered"]);
  });
});

describe("control API", () => {
  it("lists messages oldest first, filtered by recipient", async () => {
    for (const [to, message] of [
      [PATIENT, "ett"],
      [OTHER_PATIENT, "två"],
      [PATIENT, "tre"],
    ] as const) {
      expect((await send({ from: "Vardtid", to, message })).status).toBe(200);
    }
    expect((await messages()).map((m) => m.message)).toEqual(["ett", "två", "tre"]);
    expect((await messages(PATIENT)).map((m) => m.message)).toEqual(["ett", "tre"]);
    // A hand-typed "+" in a query string arrives as a space.
    const res = await fetch(`${sim.url}/__simulator/messages?to=${PATIENT}`);
    expect(z.object({ messages: z.array(messageSchema) }).parse(await res.json()).messages).toHaveLength(2);
  });

  it("lists only the messages after an offset, with the total as the next offset", async () => {
    for (const message of ["ett", "två", "tre"])
      expect((await send({ from: "Vardtid", to: PATIENT, message })).status).toBe(200);
    const page = z.object({ messages: z.array(messageSchema), total: z.number() });
    const after2 = page.parse(await (await fetch(`${sim.url}/__simulator/messages?offset=2`)).json());
    expect(after2.messages.map((m) => m.message)).toEqual(["tre"]);
    expect(after2.total).toBe(3);
    const none = page.parse(await (await fetch(`${sim.url}/__simulator/messages?offset=3`)).json());
    expect(none.messages).toEqual([]);
  });

  it("answers a share of sends with the fault status and stores none of them", async () => {
    expect((await control("faults", { failRate: 1 })).status).toBe(200);
    const failed = await send({ from: "Vardtid", to: PATIENT, message: "Hej" });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("content-type")).toMatch(/^text\/plain/);

    await control("faults", { failRate: 1, status: 500 });
    expect((await send({ from: "Vardtid", to: PATIENT, message: "Hej" })).status).toBe(500);
    expect(await messages()).toEqual([]);

    await control("faults", {});
    expect((await send({ from: "Vardtid", to: PATIENT, message: "Hej" })).status).toBe(200);
  });

  it("scripted faults: each new idempotency key fails its first failFirst[n] sends, cycling through the list", async () => {
    expect((await control("faults", { failFirst: [0, 2] })).status).toBe(200);
    const sendKeyed = async (key: string | null) =>
      (
        await send(
          { from: "Vardtid", to: PATIENT, message: "Hej" },
          key === null ? {} : { headers: { "Idempotency-Key": key } },
        )
      ).status;
    // Key a takes entry 0 (no failure), key b entry 1 (two failures), key c entry 0 again.
    expect(await sendKeyed("a")).toBe(200);
    expect(await sendKeyed("b")).toBe(503);
    expect(await sendKeyed("c")).toBe(200);
    expect(await sendKeyed("b")).toBe(503);
    expect(await sendKeyed("b")).toBe(200);
    expect(await sendKeyed("b")).toBe(200);
    // Without a key each send takes the next entry: the first takes 2 (so it fails), the next 0.
    expect(await sendKeyed(null)).toBe(503);
    expect(await sendKeyed(null)).toBe(200);
    const stored = await messages();
    expect(stored.map((m) => m.idempotencyKey)).toEqual(["a", "c", "b", null]);
    expect(stored.find((m) => m.idempotencyKey === "b")?.duplicates).toBe(1);

    // Setting faults again starts the script afresh; random and scripted exclude each other.
    await control("faults", { failFirst: [1], status: 500 });
    expect(await sendKeyed("e")).toBe(500);
    expect(await sendKeyed("e")).toBe(200);
    expect((await control("faults", { failRate: 0.5, failFirst: [1] })).status).toBe(400);
    expect((await control("faults", { failFirst: [-1] })).status).toBe(400);
  });

  it("delays answers", async () => {
    await control("faults", { delayMs: 300 });
    const started = Date.now();
    expect((await send({ from: "Vardtid", to: PATIENT, message: "Hej" })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("rejects unknown fault fields, out-of-range values and non-JSON bodies, in JSON", async () => {
    expect((await control("faults", { failRate: 2 })).status).toBe(400);
    expect((await control("faults", { failrate: 1 })).status).toBe(400);
    const res = await fetch(`${sim.url}/__simulator/faults`, { method: "POST", body: "failRate=1" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Body must be JSON" });
  });

  it("delivers an incoming SMS to sms_url as a 46elks form", async () => {
    const app = await receiver();
    const withUrl = await startSmsSimulator({ smsUrl: `${app.url}/api/sms/incoming` });
    extra.push(withUrl);

    const res = await control("incoming", { from: PATIENT, to: CLINIC_NUMBER, message: "JA" }, withUrl.url);
    expect(res.status).toBe(200);
    const result = z.object({ id: z.string(), status: z.number(), reply: z.null() }).parse(await res.json());
    expect(result.status).toBe(204);

    expect(app.requests).toHaveLength(1);
    expect(app.requests[0]?.path).toBe("/api/sms/incoming");
    expect(Object.fromEntries(app.requests[0]?.form ?? [])).toEqual({
      id: result.id,
      from: PATIENT,
      to: CLINIC_NUMBER,
      message: "JA",
      created: expect.stringMatching(/Z$/),
      direction: "incoming",
    });
  });

  it("sends an answer body from sms_url back to the patient, as 46elks would", async () => {
    const app = await receiver(() => ({ status: 200, body: "Tack för ditt svar" }));
    const withUrl = await startSmsSimulator({ smsUrl: `${app.url}/sms` });
    extra.push(withUrl);

    await control("incoming", { from: PATIENT, to: CLINIC_NUMBER, message: "JA" }, withUrl.url);
    expect(await messages(PATIENT, withUrl.url)).toMatchObject([
      { from: CLINIC_NUMBER, to: PATIENT, message: "Tack för ditt svar" },
    ]);
  });

  it("refuses an incoming SMS when no sms_url is configured", async () => {
    const res = await control("incoming", { from: PATIENT, to: CLINIC_NUMBER, message: "JA" });
    expect(res.status).toBe(409);
  });

  it("forgets messages, keys and faults on reset", async () => {
    await send({ from: "Vardtid", to: PATIENT, message: "Hej" }, { headers: { "Idempotency-Key": "k1" } });
    await control("faults", { failRate: 1 });
    expect((await control("reset", {})).status).toBe(200);

    expect(await messages()).toEqual([]);
    const res = await send({ from: "Vardtid", to: PATIENT, message: "Hej" }, { headers: { "Idempotency-Key": "k1" } });
    expect(res.status).toBe(200);
    expect((await messages())[0]?.duplicates).toBe(0);
  });
});

describe("inbox", () => {
  it("lists the numbers that received messages", async () => {
    await send({ from: "Vardtid", to: PATIENT, message: "Hej" });
    const res = await fetch(`${sim.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`href="/inbox/${encodeURIComponent(PATIENT)}"`);
    expect(html).toContain("1 message");
  });

  it("shows a number's messages as a thread with clickable links and escaped text", async () => {
    const text = 'Ny tid: https://vardtid.test/l/abc123. <script>alert("x")</script> <img src=x onerror=alert(1)>';
    await send({ from: "Vårdtid", to: PATIENT, message: text });

    const res = await fetch(`${sim.url}/inbox/${encodeURIComponent(PATIENT)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    const html = await res.text();

    expect(html).toContain(
      '<a href="https://vardtid.test/l/abc123" rel="noreferrer">https://vardtid.test/l/abc123</a>.',
    );
    expect(html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(html).not.toContain("<img");
    expect(html).toContain("Vårdtid");
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/role="status"/);
    // Nothing is loaded from anywhere else.
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=/);
  });

  it("serves a changing fragment for its auto-refresh", async () => {
    const fragmentSchema = z.object({ html: z.string(), version: z.string(), count: z.number() });
    const url = `${sim.url}/inbox/${encodeURIComponent(PATIENT)}?fragment=1`;
    const empty = fragmentSchema.parse(await (await fetch(url)).json());
    expect(empty.count).toBe(0);

    await send({ from: "Vardtid", to: PATIENT, message: "Hej" });
    const one = fragmentSchema.parse(await (await fetch(url)).json());
    expect(one.count).toBe(1);
    expect(one.version).not.toBe(empty.version);
  });

  it("shows the patient's own replies in the same thread", async () => {
    const app = await receiver();
    const withUrl = await startSmsSimulator({ smsUrl: `${app.url}/sms` });
    extra.push(withUrl);
    await control("incoming", { from: PATIENT, to: CLINIC_NUMBER, message: "Jag kommer" }, withUrl.url);

    const html = await (await fetch(`${withUrl.url}/inbox/${encodeURIComponent(PATIENT)}`)).text();
    expect(html).toContain('class="msg sent"');
    expect(html).toContain("Jag kommer");
  });

  it("answers 404 for something that is not a phone number", async () => {
    expect((await fetch(`${sim.url}/inbox/not-a-number`)).status).toBe(404);
  });
});
