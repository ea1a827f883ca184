// The benchmark database: a fresh Postgres database, migrated by the app's own migrateDatabase
// (run inside the app snapshot, so schema and code match), filled with generate_series inserts in
// the shape of a region: clinics with appointment types and practitioners, patients with ten
// appointments each (past ones mostly completed, some cancelled or no-show; upcoming ones booked),
// and one known benchmark patient with a live session.
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import postgres from "postgres";
import { encode } from "next-auth/jwt";
import { openDatabase } from "@/db/client";
import { createSession } from "@/lib/auth/sessions";
import { parseEnv } from "@/lib/env";
import { encryptPii, keyedHash, piiKeysFromEnv } from "@/lib/privacy/crypto";
import { tsxCli } from "./proc";

export interface BenchDatabase {
  name: string;
  url: string;
}

export function adminUrl(base: string, database = "postgres"): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createBenchDatabase(base: string): Promise<BenchDatabase> {
  const name = `vardtid_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl(base), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return { name, url: adminUrl(base, name) };
}

export async function dropBenchDatabase(base: string, name: string): Promise<void> {
  const admin = postgres(adminUrl(base), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** `npm run migrate` of the snapshot: db/migrate-cli.ts → migrateDatabase, with its migrations. */
export function migrateWithSnapshot(appDir: string, url: string): void {
  const r = spawnSync(process.execPath, [tsxCli(appDir), "db/migrate-cli.ts"], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: url, VARDTID_MODE: "demo" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.status !== 0) throw new Error(`migration failed:\n${r.stdout.toString()}\n${r.stderr.toString()}`);
}

export interface FillResult {
  clinics: number;
  patients: number;
  slots: number;
  appointments: number;
  seconds: number;
}

const TABLES = ["patients", "slots", "appointments"];

export async function fillDatabase(
  url: string,
  opts: { patients: number; perPatient: number; freeSlots: number; log: (s: string) => void },
): Promise<FillResult> {
  const started = Date.now();
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  const P = opts.patients;
  const S = opts.patients * opts.perPatient;
  try {
    // Bulk load: no per-row foreign key triggers, secondary indexes rebuilt once at the end
    // (exactly as the migrations defined them), no waiting for WAL flushes.
    await sql.unsafe(
      `set synchronous_commit = off; set session_replication_role = replica; set maintenance_work_mem = '256MB'; set work_mem = '64MB'`,
    );
    const indexes = await sql<{ indexname: string; indexdef: string }[]>`
      select i.indexname, i.indexdef from pg_indexes i
      where i.schemaname = 'public' and i.tablename in ${sql(TABLES)}
        and i.indexname not in (select conname from pg_constraint where contype in ('p', 'u', 'x'))`;
    for (const ix of indexes) await sql.unsafe(`drop index "${ix.indexname}"`);

    await sql.unsafe(`
      insert into clinics (slug, name, sms_name, region, address, directions, phone, cancel_cutoff_hours, sister_group, patient_transport_info, offer_fairness)
      select 'bench-' || c,
             case when c % 10 = 0 then 'Psykiatrimottagning Bench ' else 'Vårdcentralen Bench ' end || c,
             case when c % 10 = 0 then 'Mottagningen Bench ' else 'Vårdcentralen Bench ' end || c,
             'Region Bench', 'Benchgatan ' || c || ', 753 21 Uppsala',
             'Ingång från gården, hiss till plan 2.', '018-611 ' || lpad(c::text, 2, '0') || ' 00',
             case when c % 10 = 0 then 72 else 24 end, 'bench-group-' || (c % 5),
             'Har du svårt att ta dig till vården kan du ha rätt till sjukresa. Beställ via Sjukresor, 018-611 00 00, senast dagen före besöket.',
             case when c % 2 = 0 then 'first_come' else 'in_turn' end
      from generate_series(1, 50) c`);
    await sql.unsafe(`
      insert into appointment_types (clinic_id, code, name_sv, name_en, duration_minutes, preparation_sv, preparation_en, is_video, allow_sister_clinics)
      select c.id, t.code, t.sv, t.en, t.dur, t.prep_sv, t.prep_en, t.code = 'video', t.code in ('lakare', 'ssk')
      from clinics c cross join (values
        ('lakare', 'Läkarbesök', 'Doctor''s appointment', 20, '', ''),
        ('ssk', 'Sjuksköterskebesök', 'Nurse appointment', 15, '', ''),
        ('prov', 'Provtagning', 'Blood test', 10, 'Fasta från kl. 22 kvällen före provtagningen. Vatten går bra att dricka.', 'Fast from 10 pm the evening before the test. You may drink water.'),
        ('video', 'Videobesök läkare', 'Video appointment with a doctor', 15, '', '')
      ) t(code, sv, en, dur, prep_sv, prep_en)`);
    await sql.unsafe(`
      insert into practitioners (clinic_id, role_sv, role_en, display_name)
      select t.clinic_id, r.sv, r.en, 'bench:' || t.id
      from appointment_types t join (values ('lakare', 'Läkare', 'Doctor'), ('ssk', 'Sjuksköterska', 'Nurse'),
        ('prov', 'Biomedicinsk analytiker', 'Biomedical scientist'), ('video', 'Läkare', 'Doctor')) r(code, sv, en) on r.code = t.code`);
    await sql.unsafe(`
      create temp table bt as
      select (row_number() over (order by substr(c.slug, 7)::int, t.code) - 1)::int as n, t.id as type_id, t.clinic_id, p.id as practitioner_id, t.duration_minutes as dur
      from appointment_types t join clinics c on c.id = t.clinic_id join practitioners p on p.display_name = 'bench:' || t.id::text;
      update practitioners set display_name = null;`);
    const [bt] = await sql<{ types: number }[]>`select count(*)::int as types from bt`;
    const types = bt!.types;
    opts.log(`fill: 50 clinics, ${types} appointment types; ${P.toLocaleString("en")} patients …`);

    await sql.unsafe(`
      insert into patients (personal_number_hash, personal_number_enc, given_name, surname, phone_enc, language, created_at)
      select encode(sha256(('bench-pn-' || i)::bytea), 'hex'),
             'YmVuY2hpdg==:YmVuY2h0YWc=:' || md5(i::text),
             (array['Anna','Erik','Maria','Lars','Karin','Johan','Eva','Anders','Sara','Per'])[1 + i % 10],
             (array['Andersson','Johansson','Karlsson','Nilsson','Eriksson','Larsson','Olsson','Persson','Svensson','Gustafsson'])[1 + (i / 10) % 10],
             'YmVuY2hpdg==:YmVuY2h0YWc=:' || md5('phone' || i),
             case when i % 20 = 0 then 'en' else 'sv' end,
             now() - interval '400 days'
      from generate_series(0, ${P - 1}) i;
      create temp table bp as select (row_number() over (order by id) - 1)::int as n, id from patients;
      create unique index on bp (n);`);

    opts.log(`fill: ${S.toLocaleString("en")} slots …`);
    // Slot i is for visit k = i / P of patient p = i mod P: the patient's own clinic (p mod 50),
    // the clinic's four types in turn, visits spread evenly from a year back to half a year ahead.
    const clinicsCount = Math.floor(types / 4);
    const spacing = Math.floor(548 / opts.perPatient);
    await sql.unsafe(`
      insert into slots (clinic_id, type_id, practitioner_id, starts_at, ends_at, status, external_id, created_at)
      select bt.clinic_id, bt.type_id, bt.practitioner_id, x.st, x.st + make_interval(mins => bt.dur), 'open', 'b' || i, now() - interval '400 days'
      from generate_series(0::bigint, ${S - 1}) i
      cross join lateral (select i % ${P} as p, i / ${P} as k) pk
      join bt on bt.n = (pk.p % ${clinicsCount}) * 4 + (pk.p + pk.k) % 4
      cross join lateral (select date_trunc('day', now())
        + make_interval(days => ((pk.p * 37) % ${spacing})::int + (pk.k * ${spacing})::int - 365, mins => 420 + ((pk.p + pk.k * 7) % 18)::int * 30) as st) x`);
    // Some free future slots, as a clinic has (the rebooking picker lists them).
    await sql.unsafe(`
      insert into slots (clinic_id, type_id, practitioner_id, starts_at, ends_at, status, external_id, created_at)
      select bt.clinic_id, bt.type_id, bt.practitioner_id, x.st, x.st + make_interval(mins => bt.dur), 'open', 'f' || i, now() - interval '30 days'
      from generate_series(0::bigint, ${opts.freeSlots - 1}) i
      join bt on bt.n = i % ${types}
      cross join lateral (select date_trunc('day', now()) + make_interval(days => 1 + ((i * 31) % 180)::int, mins => 420 + ((i / ${types}) % 16)::int * 30) as st) x`);

    opts.log(`fill: ${S.toLocaleString("en")} appointments …`);
    // Appointment i: patient i mod P (so ${opts.perPatient} each, spread over the year), slot i.
    await sql.unsafe(`
      insert into appointments (patient_id, slot_id, status, version, source, cancel_reason, cancelled_at, cancelled_by, external_id, created_at, updated_at)
      select bp.id, s.id, st.status, 1, 'clinic',
             case when st.status = 'cancelled' then 'cannot_make_it' end,
             case when st.status = 'cancelled' then least(s.starts_at - interval '2 days', now()) end,
             case when st.status = 'cancelled' then 'patient' end,
             s.external_id, s.starts_at - interval '30 days', s.starts_at - interval '30 days'
      from slots s
      cross join lateral (select substr(s.external_id, 2)::int as i) k
      join bp on bp.n = k.i % ${P}
      cross join lateral (select case
          when s.ends_at < now() then (case when k.i % 20 < 17 then 'completed' when k.i % 20 < 19 then 'cancelled' else 'no_show' end)
          else (case when k.i % 25 = 0 then 'cancelled' else 'booked' end) end as status) st
      where s.external_id like 'b%'`);

    opts.log(`fill: rebuilding ${indexes.length} indexes, analyze …`);
    for (const ix of indexes) await sql.unsafe(ix.indexdef);
    await sql.unsafe(`drop table bt; drop table bp; set session_replication_role = origin`);
    await sql.unsafe(`vacuum analyze patients, clinics, appointment_types, practitioners, slots, appointments`);
    const [counts] = await sql<{ clinics: number; patients: number; slots: number; appointments: number }[]>`
      select (select count(*)::int from clinics) as clinics, (select count(*)::int from patients) as patients,
             (select count(*)::int from slots) as slots, (select count(*)::int from appointments) as appointments`;
    return { ...counts!, seconds: (Date.now() - started) / 1000 };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface BenchPatient {
  patientId: string;
  appointments: number;
  sessionId: string;
  /** next-auth session cookie for the app, over http: `vardtid.session=<jwt>`. */
  cookie: string;
  secret: string;
}

/** Demo-mode configuration, as the app started with VARDTID_MODE=demo sees it. */
export function demoEnv() {
  return parseEnv({ VARDTID_MODE: "demo" });
}

/** The patient the load generator logs in as: ten appointments, past and upcoming, and a session. */
export async function createBenchPatient(url: string): Promise<BenchPatient> {
  const e = demoEnv();
  const keys = piiKeysFromEnv(e);
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  let patientId: string;
  try {
    const [p] = await sql<{ id: string }[]>`
      insert into patients (personal_number_hash, personal_number_enc, given_name, surname, phone_enc, phone_verified_at)
      values (${keyedHash("191212121212", keys)}, ${encryptPii("191212121212", keys)}, 'Tolvan', 'Tolvansson', ${encryptPii("+46701740605", keys)}, now())
      returning id`;
    patientId = p!.id;
    await sql`insert into notification_preferences (patient_id, sms_enabled, sms_consent_at) values (${patientId}, true, now())`;
    // Days from now and status: four past visits, a past cancellation, one inside the cutoff, four ahead.
    const plan: [number, string][] = [
      [-200, "completed"],
      [-120, "completed"],
      [-60, "no_show"],
      [-20, "completed"],
      [-5, "cancelled"],
      [0.5, "booked"],
      [3, "booked"],
      [10, "booked"],
      [30, "booked"],
      [90, "booked"],
    ];
    const types = await sql<{ clinic_id: string; type_id: string; practitioner_id: string; dur: number }[]>`
      select t.clinic_id, t.id as type_id, p.id as practitioner_id, t.duration_minutes as dur
      from appointment_types t join clinics c on c.id = t.clinic_id
      join lateral (select id from practitioners where clinic_id = t.clinic_id limit 1) p on true
      where c.slug in ('bench-1', 'bench-10') order by c.slug, t.code`;
    for (const [i, [days, status]] of plan.entries()) {
      const t = types[i % types.length]!;
      const startsAt = new Date(Math.round((Date.now() + days * 86_400_000) / 3_600_000) * 3_600_000);
      const endsAt = new Date(startsAt.getTime() + t.dur * 60_000);
      const [slot] = await sql<{ id: string }[]>`
        insert into slots (clinic_id, type_id, practitioner_id, starts_at, ends_at) values (${t.clinic_id}, ${t.type_id}, ${t.practitioner_id}, ${startsAt}, ${endsAt}) returning id`;
      const cancelledAt = status === "cancelled" ? new Date(startsAt.getTime() - 2 * 86_400_000) : null;
      await sql`
        insert into appointments (patient_id, slot_id, status, cancelled_at, cancelled_by, cancel_reason, created_at, updated_at)
        values (${patientId}, ${slot!.id}, ${status}, ${cancelledAt}, ${cancelledAt ? "patient" : null}, ${cancelledAt ? "cannot_make_it" : null}, now() - interval '40 days', now())`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { ...(await newSession(url, patientId)), patientId, appointments: 10 };
}

/** A fresh session row (createSession, as a completed BankID login makes) and its cookie. */
export async function newSession(
  url: string,
  patientId: string,
): Promise<{ sessionId: string; cookie: string; secret: string }> {
  const e = demoEnv();
  const handle = openDatabase({ url, max: 1 });
  try {
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
    // Over http the app names its cookie `vardtid.session` (lib/auth/cookies.ts).
    return { sessionId, cookie: `vardtid.session=${jwt}`, secret: e.AUTH_SECRET };
  } finally {
    await handle.close();
  }
}
