// Contention for one freed slot (issue 16, item 4): N patients at once over HTTP, through the real
// app (`next start` on the bench database). The offer holders (as many as the clinic's largest
// batch allows) press "Ta den nya tiden"; every other patient rebooks into the same slot. Goal:
// every request answered within 2 s, exactly one winner, no errors. The outcome is read from the
// database, not from the answers alone.
import http from "node:http";
import postgres from "postgres";
import { encode } from "next-auth/jwt";
import { openDatabase } from "@/db/client";
import { createSession } from "@/lib/auth/sessions";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";
import { saveWaitlistWishes } from "@/lib/waitlist/wishes";
import { offerSlot } from "@/lib/waitlist/offer-slot";
import { demoEnv } from "./lib/data";
import { commCpuSeconds, groupCpuSeconds } from "./lib/proc";
import type { EncodedRequest } from "./lib/server-actions";

export interface ContentionOptions {
  appDir: string;
  dbUrl: string;
  /** The running app, e.g. http://127.0.0.1:3701 (also the Origin the browser would send). */
  baseUrl: string;
  requests: number;
  /**
   * Offers to make (default: as many as the clinic's largest batch allows, at most N − 1, so at
   * least one patient rebooks). Equal to N (≤ the batch limit): accepts only, no rebooks.
   */
  offers?: number;
  /** The app's process group (its CPU time during the burst is read from /proc). */
  appPid: number;
  log: (s: string) => void;
}

type Kind = "accept" | "rebook";

interface Participant {
  patientId: string;
  appointmentId: string;
  slotId: string;
  version: number;
  cookie: string;
  offerId?: string;
}

export interface ContentionResult {
  requests: number;
  accepts: number;
  rebooks: number;
  /** The clinic's batch size, set to the largest its check constraint allows. */
  batchSize: number;
  latencyMs: { p50: number; p99: number; max: number };
  within2s: number;
  /** From the first send to the last answer. */
  burstMs: number;
  /** One request alone (the probes, each a refusal like a loser's): the cost without contention. */
  aloneMs: Record<Kind, number>;
  /** Slowest answer per kind. */
  maxMsByKind: Record<Kind, number>;
  /**
   * CPU time during the burst, per request: the app's processes (`next start`), every process
   * named postgres on the machine (other work on the same server included), this client.
   */
  cpuMsPerRequest: { app: number | null; postgres: number | null; client: number };
  /** What the answers said, per kind: moved, taken, …, and http-5xx / network for failures. */
  answers: Record<Kind, Record<string, number>>;
  /** 5xx, network errors, and answers that are neither "moved" nor "taken". */
  errors: number;
  firstErrors: string[];
  db: {
    /** Booked appointments on the slot (appointments_one_booked_per_slot_uq): 1 expected. */
    bookedOnSlot: number;
    winnerKind: Kind | null;
    /** The one request whose answer said "moved" is the database's winner. */
    answerMatchesDb: boolean;
    /** Other participants whose appointment is still booked in its old slot at the same version. */
    othersUnchanged: number;
    othersChanged: number;
    /** Offers for the slot by status after the burst; accepted ones of anyone but the winner: 0. */
    offers: Record<string, number>;
    losersAccepted: number;
  };
  targets: { maxMs: number; winners: number; errors: number };
  pass: { winner: boolean; errors: boolean; within2s: boolean };
}

const DAY_MS = 86_400_000;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (x: number) => Math.round(x * 10) / 10;

/** The largest batch the schema allows (clinics_batch_ck: `offer_batch_size between 1 and N`). */
async function maxBatchSize(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ def: string }[]>`
    select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'clinics_batch_ck'`;
  const max = /offer_batch_size\s*<=\s*(\d+)/.exec(row?.def ?? "")?.[1];
  if (!max) throw new Error(`contention: cannot read the batch limit from clinics_batch_ck (${row?.def ?? "missing"})`);
  return Number(max);
}

/**
 * The clinic, the free slot S a week ahead, and N patients each with a later booked visit of the
 * same type there and a live session. Patients, slots and appointments are plain inserts (as the
 * bulk fill makes them: they come from the clinic's systems); sessions are createSession's.
 */
async function setUp(o: ContentionOptions) {
  const sql = postgres(o.dbUrl, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    const batchSize = await maxBatchSize(sql);
    // A first_come clinic (in_turn offers one patient at a time), away from the bench patient's.
    const [t] = await sql<{ clinic_id: string; type_id: string; practitioner_id: string; dur: number }[]>`
      select c.id as clinic_id, t.id as type_id, p.id as practitioner_id, t.duration_minutes as dur
      from clinics c join appointment_types t on t.clinic_id = c.id and t.code = 'lakare'
      join lateral (select id from practitioners where clinic_id = c.id limit 1) p on true
      where c.offer_fairness = 'first_come' and c.slug like 'bench-%'
      order by substr(c.slug, 7)::int desc limit 1`;
    if (!t) throw new Error("contention: no first_come clinic in the bench data");
    await sql`update clinics set offer_batch_size = ${batchSize}, self_service_rebook = true where id = ${t.clinic_id}`;
    // A week ahead: past every clinic's cancel cutoff (at most 72 h in the bench data).
    const startsAt = new Date(Math.round((Date.now() + 7 * DAY_MS) / 3_600_000) * 3_600_000);
    const endsAt = new Date(startsAt.getTime() + t.dur * 60_000);
    const [slot] = await sql<{ id: string }[]>`
      insert into slots (clinic_id, type_id, practitioner_id, starts_at, ends_at, status, external_id)
      values (${t.clinic_id}, ${t.type_id}, ${t.practitioner_id}, ${startsAt}, ${endsAt}, 'open', 'contention-s')
      returning id`;
    const rows = await sql<{ patient_id: string; appointment_id: string; slot_id: string; version: number }[]>`
      with p as (
        insert into patients (personal_number_hash, personal_number_enc, given_name, surname, language)
        select encode(sha256(('bench-contention-' || i)::bytea), 'hex'), 'YmVuY2hpdg==:YmVuY2h0YWc=:' || md5('c' || i),
               'Kim', 'Contention', 'sv'
        from generate_series(0, ${o.requests - 1}) i
        returning id),
      n as (select id, (row_number() over (order by id) - 1)::int as i from p),
      s as (
        insert into slots (clinic_id, type_id, practitioner_id, starts_at, ends_at, status, external_id)
        select ${t.clinic_id}::uuid, ${t.type_id}::uuid, ${t.practitioner_id}::uuid,
               ${startsAt}::timestamptz + make_interval(days => 1 + i % 30, mins => (i / 30) * 20),
               ${startsAt}::timestamptz + make_interval(days => 1 + i % 30, mins => (i / 30) * 20 + ${t.dur}),
               'open', 'contention-' || i
        from n returning id, substr(external_id, 12)::int as i)
      insert into appointments (patient_id, slot_id, status, version, source, created_at, updated_at)
      select n.id, s.id, 'booked', 1, 'clinic', now() - interval '30 days', now() - interval '30 days'
      from n join s using (i)
      returning patient_id, id as appointment_id, slot_id, version`;
    return { slotId: slot!.id, startsAt, batchSize, clinicId: t.clinic_id, rows };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A session per patient (createSession, as a BankID login makes it) and its next-auth cookie. */
async function sessions(dbUrl: string, patientIds: string[]): Promise<Map<string, string>> {
  const e = demoEnv();
  const handle = openDatabase({ url: dbUrl, max: 4 });
  const cookies = new Map<string, string>();
  try {
    for (const patientId of patientIds) {
      const { sessionId } = await createSession(handle.db, {
        patientId,
        userAgent: "vardtid-bench",
        ip: "127.0.0.1",
        now: new Date(),
        limits: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
      });
      const jwt = await encode({
        token: { sid: sessionId },
        secret: e.AUTH_SECRET,
        maxAge: e.SESSION_ABSOLUTE_HOURS * 3600,
      });
      cookies.set(patientId, `vardtid.session=${jwt}`);
    }
  } finally {
    await handle.close();
  }
  return cookies;
}

/**
 * The offers, through the app's own path: the first `batch` patients ask for an earlier time
 * (saveWaitlistWishes, any day and time), then offerSlot, as the offer worker runs it when a slot
 * is freed, offers S to up to the clinic's batch size at once.
 */
async function makeOffers(o: ContentionOptions, slotId: string, holders: Participant[]): Promise<number> {
  const handle = openDatabase({ url: o.dbUrl, max: 1 });
  const now = new Date();
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Stockholm" }).format(now);
  try {
    for (const p of holders) {
      const r = await saveWaitlistWishes(handle.db, p.patientId, {
        appointmentId: p.appointmentId,
        fromDate: today,
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        timesOfDay: ["morning", "afternoon", "evening"],
        minNoticeMinutes: 0,
        now,
        audit: { ip: "127.0.0.1", userAgent: "vardtid-bench" },
      });
      if (!r.ok) throw new Error(`contention: saveWaitlistWishes refused: ${r.error}`);
    }
    const result = await handle.db.transaction((tx) =>
      offerSlot(tx, slotId, { keys: piiKeysFromEnv(demoEnv()), publicBaseUrl: o.baseUrl, now }),
    );
    if (result.skipped) throw new Error(`contention: offerSlot skipped the slot: ${result.skipped}`);
    return result.offered;
  } finally {
    await handle.close();
  }
}

interface Answer {
  status: number;
  /** moved, taken, another refusal the action gave, or http-<status> / network / unknown. */
  outcome: string;
  ms: number;
  detail: string;
}

function send(
  url: string,
  req: EncodedRequest,
  agent: http.Agent,
): Promise<Omit<Answer, "outcome"> & { body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const r = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { ...req.headers, "content-length": String(req.body.length) },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - t0,
            body: Buffer.concat(chunks).toString("utf8"),
            headers: res.headers,
            detail: "",
          }),
        );
        res.on("error", (e) =>
          resolve({ status: 0, ms: performance.now() - t0, body: "", headers: {}, detail: e.message }),
        );
      },
    );
    r.on("timeout", () => r.destroy(new Error("no answer in 60 s")));
    r.on("error", (e) => resolve({ status: 0, ms: performance.now() - t0, body: "", headers: {}, detail: e.message }));
    r.end(req.body);
  });
}

/** What an answer says: 200 {status: "ok"} moved; 409/422 {status: "error", error} a refusal. */
function classify(r: Awaited<ReturnType<typeof send>>): Answer {
  const base = { status: r.status, ms: r.ms };
  if (r.status === 0) return { ...base, outcome: "network", detail: r.detail };
  if (r.status >= 500) return { ...base, outcome: `http-${r.status}`, detail: r.body.slice(0, 200) };
  let body: { status?: string; error?: string } | null = null;
  try {
    body = JSON.parse(r.body) as { status?: string; error?: string };
  } catch {
    body = null;
  }
  if (r.status === 200 && body?.status === "ok") return { ...base, outcome: "moved", detail: "200" };
  return { ...base, outcome: body?.error ?? "unknown", detail: `${r.status} ${r.body.slice(0, 200)}` };
}

/**
 * The request a patient's browser sends, as the pages' scripts send it to our own server
 * (server/data-routes): the offer page's "Ta den nya tiden" to POST /api/offer-answer, the rebook
 * picker's confirm to POST /api/rebook with the version the page showed and the chosen slot.
 */
function requestFor(kind: Kind, p: Participant, slotId: string, origin: string) {
  const json = (path: string, value: unknown) => ({
    url: `${origin}${path}`,
    req: {
      headers: { "content-type": "application/json", accept: "application/json", origin, cookie: p.cookie },
      body: Buffer.from(JSON.stringify(value)),
    } satisfies EncodedRequest,
  });
  return kind === "accept"
    ? json("/api/offer-answer", { offerId: p.offerId, answer: "accept" })
    : json("/api/rebook", { appointmentId: p.appointmentId, slotId, version: p.version });
}

export async function runContentionBench(o: ContentionOptions): Promise<ContentionResult> {
  const n = o.requests;
  if (n < 2) throw new Error("contention: BENCH_CONTENTION_REQUESTS must be at least 2");
  const setup = await setUp(o);
  const cookies = await sessions(
    o.dbUrl,
    setup.rows.map((r) => r.patient_id),
  );
  const people: Participant[] = setup.rows.map((r) => ({
    patientId: r.patient_id,
    appointmentId: r.appointment_id,
    slotId: r.slot_id,
    version: r.version,
    cookie: cookies.get(r.patient_id)!,
  }));
  const holders = people.slice(0, Math.min(setup.batchSize, o.offers ?? n - 1, n));
  const offered = await makeOffers(o, setup.slotId, holders);
  const sql = postgres(o.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const offers = await sql<{ id: string; appointment_id: string }[]>`
      select o.id, e.appointment_id from slot_offers o join waitlist_entries e on e.id = o.waitlist_entry_id
      where o.slot_id = ${setup.slotId} and o.status = 'pending'`;
    if (offered !== holders.length || offers.length !== holders.length)
      throw new Error(`contention: ${offered} offers made, ${offers.length} pending, ${holders.length} expected`);
    const byAppointment = new Map(offers.map((x) => [x.appointment_id, x.id]));
    for (const h of holders) h.offerId = byAppointment.get(h.appointmentId);
    const rebookers = people.slice(holders.length);
    o.log(
      `contention: slot ${setup.startsAt.toISOString()}, ${holders.length} offers (batch size ${setup.batchSize}), ${rebookers.length} rebookers`,
    );

    // The accepts spread evenly among the rebooks, so both kinds reach the server side by side.
    const plan: { kind: Kind; p: Participant }[] = rebookers.map((p) => ({ kind: "rebook" as const, p }));
    holders.forEach((p, k) => plan.splice(Math.floor((k * n) / holders.length), 0, { kind: "accept", p }));

    // Probes through the same two paths that change nothing: each must come back as the refusal
    // it is, or the burst's answers could not be read either.
    const probeAgent = new http.Agent({ keepAlive: false });
    const a = holders[0] ?? people[0]!;
    const wrongOffer = { ...a, offerId: holders[1]?.offerId ?? "00000000-0000-4000-8000-000000000000" };
    const pa = requestFor("accept", wrongOffer, setup.slotId, o.baseUrl);
    const acceptProbe = classify(await send(pa.url, pa.req, probeAgent));
    const r = people.at(-1)!;
    const pr = requestFor("rebook", r, r.slotId, o.baseUrl); // into its own slot: refused
    const rebookProbe = classify(await send(pr.url, pr.req, probeAgent));
    if (acceptProbe.outcome !== "not_found" || rebookProbe.outcome !== "slot_unavailable")
      throw new Error(
        `contention: probes answered ${acceptProbe.outcome} (${acceptProbe.detail}) and ${rebookProbe.outcome} (${rebookProbe.detail}); not_found and slot_unavailable expected`,
      );
    o.log(
      `contention: probes answered as expected (accept: not_found, rebook: slot_unavailable); firing ${n} at once …`,
    );

    // Every body encoded before the first send; one connection per request, no keep-alive.
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const prepared = plan.map(({ kind, p }) => ({ kind, p, ...requestFor(kind, p, setup.slotId, o.baseUrl) }));
    const cpu0 = { app: groupCpuSeconds(o.appPid), pg: commCpuSeconds("postgres"), client: process.cpuUsage() };
    const t0 = performance.now();
    const raw = await Promise.all(prepared.map((x) => send(x.url, x.req, agent)));
    const burstMs = performance.now() - t0;
    const cpu1 = {
      app: groupCpuSeconds(o.appPid),
      pg: commCpuSeconds("postgres"),
      client: process.cpuUsage(cpu0.client),
    };
    const perRequest = (a: number | null, b: number | null) =>
      a !== null && b !== null ? Math.round(((b - a) * 1000 * 10) / n) / 10 : null;
    const answers = raw.map((res, i) => ({ ...prepared[i]!, a: classify(res) }));

    o.log(
      `contention: ${n} answered in ${ms(burstMs)} ms; app CPU ${perRequest(cpu0.app, cpu1.app) ?? "?"} ms per request`,
    );
    const counts: Record<Kind, Record<string, number>> = { accept: {}, rebook: {} };
    for (const x of answers) counts[x.kind][x.a.outcome] = (counts[x.kind][x.a.outcome] ?? 0) + 1;
    const bad = answers.filter((x) => x.a.outcome !== "moved" && x.a.outcome !== "taken");
    const latencies = answers.map((x) => x.a.ms).sort((p, q) => p - q);

    // The outcome, from the database.
    const booked = await sql<{ id: string }[]>`
      select id from appointments where slot_id = ${setup.slotId} and status = 'booked'`;
    const winner = booked.length === 1 ? answers.find((x) => x.p.appointmentId === booked[0]!.id) : undefined;
    const movedAnswers = answers.filter((x) => x.a.outcome === "moved");
    const now = await sql<{ id: string; slot_id: string; status: string; version: number }[]>`
      select id, slot_id, status, version from appointments where id in ${sql(people.map((p) => p.appointmentId))}`;
    const before = new Map(people.map((p) => [p.appointmentId, p]));
    const others = now.filter((x) => x.id !== winner?.p.appointmentId);
    const unchanged = others.filter((x) => {
      const b = before.get(x.id)!;
      return x.status === "booked" && x.slot_id === b.slotId && x.version === b.version;
    }).length;
    const offerRows = await sql<{ status: string; appointment_id: string }[]>`
      select o.status, e.appointment_id from slot_offers o join waitlist_entries e on e.id = o.waitlist_entry_id
      where o.slot_id = ${setup.slotId}`;
    const offerCounts: Record<string, number> = {};
    for (const x of offerRows) offerCounts[x.status] = (offerCounts[x.status] ?? 0) + 1;
    const losersAccepted = offerRows.filter(
      (x) => x.status === "accepted" && x.appointment_id !== winner?.p.appointmentId,
    ).length;

    const within2s = latencies.filter((x) => x <= 2000).length;
    const answerMatchesDb = !!winner && movedAnswers.length === 1 && movedAnswers[0] === winner;
    return {
      requests: n,
      accepts: holders.length,
      rebooks: rebookers.length,
      batchSize: setup.batchSize,
      latencyMs: {
        p50: ms(percentile(latencies, 50)),
        p99: ms(percentile(latencies, 99)),
        max: ms(latencies.at(-1) ?? 0),
      },
      within2s,
      burstMs: ms(burstMs),
      aloneMs: { accept: ms(acceptProbe.ms), rebook: ms(rebookProbe.ms) },
      maxMsByKind: {
        accept: ms(Math.max(0, ...answers.filter((x) => x.kind === "accept").map((x) => x.a.ms))),
        rebook: ms(Math.max(0, ...answers.filter((x) => x.kind === "rebook").map((x) => x.a.ms))),
      },
      cpuMsPerRequest: {
        app: perRequest(cpu0.app, cpu1.app),
        postgres: perRequest(cpu0.pg, cpu1.pg),
        client: Math.round(((cpu1.client.user + cpu1.client.system) / 1000 / n) * 10) / 10,
      },
      answers: counts,
      errors: bad.length,
      firstErrors: bad.slice(0, 5).map((x) => `${x.kind}: ${x.a.outcome} ${x.a.detail}`),
      db: {
        bookedOnSlot: booked.length,
        winnerKind: winner?.kind ?? null,
        answerMatchesDb,
        othersUnchanged: unchanged,
        othersChanged: others.length - unchanged,
        offers: offerCounts,
        losersAccepted,
      },
      targets: { maxMs: 2000, winners: 1, errors: 0 },
      pass: {
        winner: booked.length === 1 && answerMatchesDb && unchanged === n - 1 && losersAccepted === 0,
        errors: bad.length === 0,
        within2s: within2s === n,
      },
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The printed table's rows for this phase. */
export function contentionRows(c: ContentionResult): string[][] {
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  return [
    [
      `(d) one freed slot: ${c.requests} at once (${c.accepts} accepts, ${c.rebooks} rebooks)`,
      `${c.within2s}/${c.requests} within 2 s; p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms, max ${c.latencyMs.max} ms`,
      "all ≤ 2 s",
      verdict(c.pass.within2s),
    ],
    [
      "    winners (database)",
      `${c.db.bookedOnSlot} booked on the slot (${c.db.winnerKind ?? "none"}), answer ${c.db.answerMatchesDb ? "matches" : "does NOT match"}; others unchanged ${c.db.othersUnchanged}/${c.requests - 1}; offers: ${list(c.db.offers)}`,
      "exactly 1",
      verdict(c.pass.winner),
    ],
    ["    errors (5xx, network, other answers)", String(c.errors), "0", verdict(c.pass.errors)],
    ["    answers", `accept: ${list(c.answers.accept)}; rebook: ${list(c.answers.rebook)}`, "", ""],
    [
      "    CPU per request: app / Postgres (all) / client",
      `${c.cpuMsPerRequest.app ?? "?"} / ${c.cpuMsPerRequest.postgres ?? "?"} / ${c.cpuMsPerRequest.client} ms; all answered in ${c.burstMs} ms; one alone: accept ${c.aloneMs.accept} ms, rebook ${c.aloneMs.rebook} ms`,
      "",
      "",
    ],
  ];
}
