import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { countSegments, isGsm7Char } from "../../lib/sms/segments";
import {
  renderNumberList,
  renderPage,
  renderThread,
  type Fragment,
  type NumberSummary,
  type ThreadEntry,
} from "./inbox";
import { FaultPlan, faultsSchema, NO_FAULTS, type Faults } from "./faults";
import { describeTarget, postForm, type FormAnswer } from "./post-form";

/**
 * A stand-in for 46elks (shared/specs/sms-gateway.md): same paths, auth, fields, answers
 * and errors, plus an inbox per phone number and a control API for tests. It keeps every
 * message in memory, text included (even with dontlog=message), because showing what a
 * phone would receive is its purpose. It never logs numbers or texts.
 */

export interface SmsSimulatorOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  username?: string;
  password?: string;
  /** From accepting a send to its `sent` report. Default 0. */
  dlrSentDelayMs?: number;
  /** From accepting a send to its `delivered` (or `failed`) report. Default 1000. */
  dlrDeliveredDelayMs?: number;
  /** Where incoming SMS (patient replies) are POSTed: the number's sms_url. */
  smsUrl?: string;
  /** Waits between attempts when a report callback does not answer 2xx. Default 1, 5, 15, 60 s. */
  callbackRetryDelaysMs?: readonly number[];
  /** Operational lines (never numbers, texts or callback paths). Default: silent. */
  log?: (line: string) => void;
}

export interface SmsSimulator {
  url: string;
  close(): Promise<void>;
}

type MessageStatus = "created" | "sent" | "delivered" | "failed";

interface StoredMessage {
  seq: number;
  id: string;
  from: string;
  to: string;
  message: string;
  parts: number;
  cost: number;
  created: string;
  status: MessageStatus;
  delivered: string | null;
  whendelivered: string | null;
  idempotencyKey: string | null;
  duplicates: number;
  flashsms: boolean;
  dontlog: boolean;
  /** The exact first answer, replayed to a send that repeats the Idempotency-Key. */
  answer: Record<string, unknown>;
}

interface StoredIncoming {
  seq: number;
  id: string;
  from: string;
  to: string;
  message: string;
  created: string;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

const incomingSchema = z.strictObject({
  from: z.string().regex(E164, "from must be an E.164 number"),
  to: z.string().regex(E164, "to must be an E.164 number"),
  message: z.string().min(1),
});

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 60_000];

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startSmsSimulator(opts: SmsSimulatorOptions = {}): Promise<SmsSimulator> {
  const host = opts.host ?? "127.0.0.1";
  const username = opts.username ?? "demo";
  const password = opts.password ?? "demo";
  const dlrSentDelayMs = opts.dlrSentDelayMs ?? 0;
  const dlrDeliveredDelayMs = opts.dlrDeliveredDelayMs ?? 1_000;
  const retryDelays = opts.callbackRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const log = opts.log ?? (() => {});

  let messages: StoredMessage[] = [];
  let incoming: StoredIncoming[] = [];
  let byKey = new Map<string, StoredMessage>();
  let plan = new FaultPlan(NO_FAULTS);
  let seq = 0;
  // Aborted on reset and close: pending reports of forgotten messages must not go out.
  let lifetime = new AbortController();
  const closing = new AbortController();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpProblem) {
        // The 46elks API answers errors in plain text; the control API speaks JSON.
        if (req.url?.startsWith("/__simulator/")) sendJson(res, err.status, { error: err.message });
        else sendText(res, err.status, err.message);
        return;
      }
      log(`sms simulator: internal error: ${err instanceof Error ? err.name : "unknown"}`);
      if (!res.headersSent) sendText(res, 500, "Internal simulator error");
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const path = url.pathname;
    const method = req.method ?? "GET";

    if (path === "/a1/sms") {
      if (method !== "POST") return sendMethodNotAllowed(res, "POST");
      return handleSend(req, res);
    }
    if (path === "/__simulator/messages") {
      if (method !== "GET") return sendMethodNotAllowed(res, "GET");
      const to = normalisePlus(url.searchParams.get("to"));
      // `offset`: only the messages after the first N received (a poller reads just the new ones;
      // the bench's link opener does, with 100 000 messages stored). `total` is the next offset.
      const offset = Math.max(0, Number.parseInt(url.searchParams.get("offset") ?? "0", 10) || 0);
      const recent = offset > 0 ? messages.slice(offset) : messages;
      const list = to === null ? recent : recent.filter((m) => m.to === to);
      return sendJson(res, 200, { messages: list.map(publicMessage), total: messages.length });
    }
    if (path === "/__simulator/incoming") {
      if (method !== "POST") return sendMethodNotAllowed(res, "POST");
      return handleIncoming(req, res);
    }
    if (path === "/__simulator/faults") {
      if (method === "GET") return sendJson(res, 200, { faults: plan.faults });
      if (method !== "POST") return sendMethodNotAllowed(res, "GET, POST");
      const parsed = faultsSchema.safeParse(await readJson(req));
      if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) });
      // Each call sets the whole fault set (and starts its script afresh), so a test never
      // inherits half of an earlier one.
      plan = new FaultPlan(parsed.data);
      return sendJson(res, 200, { faults: plan.faults });
    }
    if (path === "/__simulator/reset") {
      if (method !== "POST") return sendMethodNotAllowed(res, "POST");
      lifetime.abort();
      lifetime = new AbortController();
      messages = [];
      incoming = [];
      byKey = new Map();
      plan = new FaultPlan(NO_FAULTS);
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/__simulator/health") {
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/") {
      if (method !== "GET" && method !== "HEAD") return sendMethodNotAllowed(res, "GET");
      const list = renderNumberList(numberSummaries());
      return sendInboxView(req, res, url, "SMS simulator inbox", "Inbox", false, list);
    }
    if (path.startsWith("/inbox/")) {
      if (method !== "GET" && method !== "HEAD") return sendMethodNotAllowed(res, "GET");
      const number = normalisePlus(safeDecode(path.slice("/inbox/".length)));
      if (number === null || !E164.test(number)) return sendText(res, 404, "Not found");
      const title = `${number} · SMS simulator`;
      return sendInboxView(req, res, url, title, number, true, renderThread(thread(number)));
    }
    return sendText(res, 404, "Not found");
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!credentialsMatch(req.headers.authorization, username, password)) {
      res.setHeader("WWW-Authenticate", 'Basic realm="46elks simulator"');
      return sendText(res, 401, "Invalid credentials");
    }
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (contentType !== "" && contentType !== "application/x-www-form-urlencoded") {
      return sendText(res, 400, "Body must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(await readBody(req));
    // 46elks' own curl example posts `-d to=+46700000000` unencoded, which form-decodes
    // to a leading space; the operator takes it as the "+" it was meant to be.
    for (const key of ["from", "to"] as const) {
      const value = form.get(key);
      if (value !== null && /^ [0-9]+$/.test(value)) form.set(key, `+${value.slice(1)}`);
    }
    const keyHeader = req.headers["idempotency-key"];
    const key = typeof keyHeader === "string" && keyHeader !== "" ? keyHeader : null;
    // Taken now: a fault set while this request waits must not change its fate.
    const activePlan = plan;
    const active = activePlan.faults;

    // Checked and stored with no await in between, so two racing sends with one key
    // cannot both create a message.
    const first = key === null ? undefined : byKey.get(key);
    if (first) {
      first.duplicates += 1;
      return answerAfter(res, active.delayMs, () => sendJson(res, 200, first.answer));
    }
    const failure = activePlan.failureFor(key);
    if (failure !== null) {
      const reason = STATUS_CODES[failure] ?? "Simulated failure";
      return answerAfter(res, active.delayMs, () => sendText(res, failure, reason));
    }

    const invalid = validateSend(form);
    if (invalid) {
      return answerAfter(res, active.delayMs, () => sendText(res, 400, invalid));
    }
    const from = form.get("from") ?? "";
    const to = form.get("to") ?? "";
    const text = form.get("message") ?? "";
    const dontlog = form.get("dontlog") === "message";
    const { parts } = countSegments(text);
    const cost = parts * pricePerPart(to);

    if (form.get("dryrun") === "yes") {
      const estimate = {
        status: "created",
        direction: "outgoing",
        from,
        to,
        ...(dontlog ? {} : { message: text }),
        estimated_cost: cost,
        parts,
      };
      return answerAfter(res, active.delayMs, () => sendJson(res, 200, estimate));
    }

    const record = storeMessage({
      from,
      to,
      message: text,
      parts,
      cost,
      whendelivered: form.get("whendelivered") || null,
      idempotencyKey: key,
      flashsms: form.get("flashsms") === "yes",
      dontlog,
    });
    if (key !== null) byKey.set(key, record);
    void runDeliveryTimeline(record, active, lifetime.signal);
    // Stored before the delay, as at a real operator: a client that gives up waiting has
    // still sent the SMS, which is exactly the case idempotency keys are for.
    return answerAfter(res, active.delayMs, () => sendJson(res, 200, record.answer));
  }

  async function handleIncoming(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = incomingSchema.safeParse(await readJson(req));
    if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) });
    if (!opts.smsUrl) {
      return sendJson(res, 409, {
        error: "No sms_url configured: start the simulator with smsUrl (SMS_SIM_SMS_URL)",
      });
    }
    const sms: StoredIncoming = {
      seq: ++seq,
      id: newId(),
      ...parsed.data,
      created: new Date().toISOString(),
    };
    incoming.push(sms);

    let answer: FormAnswer;
    try {
      answer = await postForm(
        opts.smsUrl,
        {
          id: sms.id,
          from: sms.from,
          to: sms.to,
          message: sms.message,
          created: sms.created,
          direction: "incoming",
        },
        AbortSignal.any([lifetime.signal, closing.signal]),
      );
    } catch {
      log(`sms simulator: sms_url ${describeTarget(opts.smsUrl)} did not answer`);
      return sendJson(res, 502, { id: sms.id, error: "sms_url did not answer" });
    }

    // 46elks sends a non-empty answer body back to the patient as a reply; do the same so
    // a handler that replies that way (and so skips our own records) shows up in tests.
    const replyText = answer.status >= 200 && answer.status < 300 ? answer.body.trim() : "";
    let reply: ReturnType<typeof publicMessage> | null = null;
    if (replyText !== "") {
      const { parts } = countSegments(replyText);
      const record = storeMessage({
        from: sms.to,
        to: sms.from,
        message: replyText,
        parts,
        cost: parts * pricePerPart(sms.from),
        whendelivered: null,
        idempotencyKey: null,
        flashsms: false,
        dontlog: false,
      });
      void runDeliveryTimeline(record, plan.faults, lifetime.signal);
      reply = publicMessage(record);
    }
    return sendJson(res, 200, { id: sms.id, created: sms.created, status: answer.status, reply });
  }

  function storeMessage(
    fields: Omit<StoredMessage, "seq" | "id" | "created" | "status" | "delivered" | "duplicates" | "answer">,
  ): StoredMessage {
    const id = newId();
    const created = new Date().toISOString();
    const record: StoredMessage = {
      ...fields,
      seq: ++seq,
      id,
      created,
      status: "created",
      delivered: null,
      duplicates: 0,
      answer: {
        status: "created",
        direction: "outgoing",
        from: fields.from,
        to: fields.to,
        ...(fields.dontlog ? {} : { message: fields.message }),
        created,
        id,
        parts: fields.parts,
        cost: fields.cost,
      },
    };
    messages.push(record);
    return record;
  }

  async function runDeliveryTimeline(msg: StoredMessage, active: Faults, signal: AbortSignal): Promise<void> {
    const start = Date.now();
    const report = async (fields: Record<string, string>): Promise<void> => {
      if (msg.whendelivered === null || active.withholdDlr) return;
      await postReport(msg.whendelivered, fields, signal);
    };

    if (!(await pause(dlrSentDelayMs, signal))) return;
    msg.status = "sent";
    // The final report waits for this one, so a receiver sees sent before delivered even
    // when the first attempt had to be retried.
    await report({ id: msg.id, status: "sent" });

    if (!(await pause(start + dlrDeliveredDelayMs - Date.now(), signal))) return;
    if (active.dlrStatus === "failed") {
      msg.status = "failed";
      await report({ id: msg.id, status: "failed" });
    } else {
      msg.status = "delivered";
      msg.delivered = new Date().toISOString();
      await report({ id: msg.id, status: "delivered", delivered: msg.delivered });
    }
  }

  async function postReport(target: string, fields: Record<string, string>, signal: AbortSignal): Promise<void> {
    const where = describeTarget(target);
    for (let attempt = 0; ; attempt += 1) {
      let outcome: string;
      try {
        const answer = await postForm(target, fields, AbortSignal.any([signal, closing.signal]));
        if (answer.status >= 200 && answer.status < 300) return;
        outcome = `HTTP ${answer.status}`;
      } catch {
        if (signal.aborted || closing.signal.aborted) return;
        outcome = "no answer";
      }
      const wait = retryDelays[attempt];
      if (wait === undefined) {
        log(
          `sms simulator: delivery report to ${where} failed (${outcome}); ` +
            `giving up after ${attempt + 1} attempts`,
        );
        return;
      }
      log(`sms simulator: delivery report to ${where} failed (${outcome}); retrying in ${wait} ms`);
      if (!(await pause(wait, signal))) return;
    }
  }

  /**
   * Without a fault the answer goes out synchronously, before the first report's timer
   * can fire, so a client usually holds the id before the `sent` report reaches it.
   */
  async function answerAfter(res: ServerResponse, delayMs: number, write: () => void): Promise<void> {
    if (delayMs > 0 && !(await pause(delayMs))) {
      res.destroy();
      return;
    }
    write();
  }

  /** Resolves false when the wait was cut short by a reset or close. */
  function pause(ms: number, signal: AbortSignal = closing.signal): Promise<boolean> {
    const both = signal === closing.signal ? signal : AbortSignal.any([signal, closing.signal]);
    if (both.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(
        () => {
          both.removeEventListener("abort", onAbort);
          resolve(true);
        },
        Math.max(0, ms),
      );
      both.addEventListener("abort", onAbort, { once: true });
    });
  }

  function thread(number: string): ThreadEntry[] {
    const received = messages.filter((m) => m.to === number).map((m) => ({ seq: m.seq, entry: receivedEntry(m) }));
    const sent = incoming.filter((m) => m.from === number).map((m) => ({ seq: m.seq, entry: sentEntry(m) }));
    return [...received, ...sent].sort((a, b) => a.seq - b.seq).map((x) => x.entry);
  }

  function numberSummaries(): NumberSummary[] {
    const byNumber = new Map<string, NumberSummary>();
    const add = (number: string, created: string) => {
      const summary = byNumber.get(number) ?? { number, count: 0, last: created };
      summary.count += 1;
      summary.last = created;
      byNumber.set(number, summary);
    };
    const all = [
      ...messages.map((m) => ({ seq: m.seq, number: m.to, created: m.created })),
      ...incoming.map((m) => ({ seq: m.seq, number: m.from, created: m.created })),
    ].sort((a, b) => a.seq - b.seq);
    for (const item of all) add(item.number, item.created);
    return [...byNumber.values()].sort((a, b) => b.last.localeCompare(a.last));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${displayHost(host)}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        lifetime.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function validateSend(form: URLSearchParams): string | null {
  for (const key of ["from", "to", "message"] as const) {
    if (!form.get(key)) return `Missing key ${key}`;
  }
  const from = form.get("from") ?? "";
  if (!isValidFrom(from)) return "Invalid from";
  if (!E164.test(form.get("to") ?? "")) return "Invalid to number";
  const whendelivered = form.get("whendelivered");
  if (whendelivered !== null && whendelivered !== "" && !isHttpUrl(whendelivered)) {
    return "Invalid whendelivered";
  }
  for (const key of ["flashsms", "dryrun"] as const) {
    const value = form.get(key);
    if (value !== null && value !== "yes" && value !== "no") return `Invalid ${key}`;
  }
  const dontlog = form.get("dontlog");
  if (dontlog !== null && dontlog !== "message") return "Invalid dontlog";
  return null;
}

/**
 * Written apart from the adapter's check on purpose: the simulator is the contract's
 * second reading, and a shared bug would let both agree on something 46elks refuses.
 */
function isValidFrom(from: string): boolean {
  if (E164.test(from)) return true;
  return /^[\p{L}0-9 ]{1,11}$/u.test(from) && /\p{L}/u.test(from) && Array.from(from).every(isGsm7Char);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

// Invented prices, in 1/10 000 SEK; only their shape matches 46elks.
function pricePerPart(to: string): number {
  return to.startsWith("+46") ? 3_500 : 5_000;
}

function newId(): string {
  return `s${randomBytes(16).toString("hex")}`;
}

function publicMessage(m: StoredMessage) {
  return {
    id: m.id,
    from: m.from,
    to: m.to,
    message: m.message,
    parts: m.parts,
    cost: m.cost,
    created: m.created,
    status: m.status,
    delivered: m.delivered,
    whendelivered: m.whendelivered,
    idempotencyKey: m.idempotencyKey,
    duplicates: m.duplicates,
    dontlog: m.dontlog,
    flashsms: m.flashsms,
  };
}

function receivedEntry(m: StoredMessage): ThreadEntry {
  return {
    direction: "received",
    counterpart: m.from,
    text: m.message,
    created: m.created,
    status: m.status,
    parts: m.parts,
  };
}

function sentEntry(m: StoredIncoming): ThreadEntry {
  return {
    direction: "sent",
    counterpart: m.to,
    text: m.message,
    created: m.created,
    parts: countSegments(m.message).parts,
  };
}

function credentialsMatch(header: string | undefined, username: string, password: string): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  // Both compared in full, so timing tells nothing about which half was wrong.
  const userOk = sameSecret(decoded.slice(0, colon), username);
  const passOk = sameSecret(decoded.slice(colon + 1), password);
  return userOk && passOk;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** In a query string or a hand-typed URL an unencoded "+" arrives as a space. */
function normalisePlus(value: string | null): string | null {
  if (value === null || value === "") return null;
  return value.replace(/^ /, "+");
}

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

function displayHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, "Body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpProblem(400, "Body must be JSON");
  }
}

function sendInboxView(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  title: string,
  heading: string,
  backLink: boolean,
  content: Fragment,
): void {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Content-Type-Options", "nosniff");
  if (url.searchParams.get("fragment") === "1") return sendJson(res, 200, content);
  const nonce = randomBytes(16).toString("base64");
  res.setHeader(
    "Content-Security-Policy",
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; ` +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  const html = renderPage({ title, heading, backLink, content, nonce });
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(req.method === "HEAD" ? undefined : html);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

function sendMethodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader("Allow", allow);
  sendText(res, 405, "Method not allowed");
}
