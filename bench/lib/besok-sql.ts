// The database work of one GET /besok, without the app around it: read the next-auth session
// cookie, validate the session row (touching it at most once a minute), run the listAppointments
// query, and append the audit event to the hash chain in a transaction. The SQL text is what
// drizzle sends for the app (lib/appointments/service.ts, lib/auth/sessions.ts,
// lib/audit/index.ts; checked against the app's statement log), sent the same way (unnamed
// statements), over the same postgres.js client options and pool size.
//
// Used by bench/bare-server.ts (node:http) and by the bare Next.js page of the baseline app,
// which copies this file and the three pure helpers it imports.
import postgres from "postgres";
import { decode } from "next-auth/jwt";
import { auditHash, GENESIS_HASH } from "@/lib/audit/hash-chain";
import { sessionState, shouldTouch } from "@/lib/auth/session-policy";
import { sha256Hex } from "@/lib/privacy/crypto";

const cols = {
  appointments: [
    "id",
    "patient_id",
    "slot_id",
    "status",
    "version",
    "source",
    "cancel_reason",
    "cancelled_at",
    "cancelled_by",
    "rebooked_at",
    "previous_starts_at",
    "external_id",
    "created_at",
    "updated_at",
  ],
  slots: [
    "id",
    "clinic_id",
    "type_id",
    "practitioner_id",
    "starts_at",
    "ends_at",
    "status",
    "external_id",
    "created_at",
  ],
  clinics: [
    "id",
    "slug",
    "name",
    "sms_name",
    "region",
    "address",
    "directions",
    "phone",
    "time_zone",
    "cancel_cutoff_hours",
    "self_service_cancel",
    "self_service_rebook",
    "sister_group",
    "reminder_offsets",
    "offer_fairness",
    "offer_batch_size",
    "offer_answer_minutes",
    "patient_transport_info",
    "created_at",
  ],
  appointment_types: [
    "id",
    "clinic_id",
    "code",
    "name_sv",
    "name_en",
    "duration_minutes",
    "cancellable",
    "rebookable",
    "cancel_cutoff_hours",
    "preparation_sv",
    "preparation_en",
    "is_video",
    "allow_sister_clinics",
    "waitlist_enabled",
  ],
  practitioners: ["id", "clinic_id", "role_sv", "role_en", "display_name"],
} as const;
type Table = keyof typeof cols;
const offsets = {} as Record<Table, number>;
let width = 0;
for (const t of Object.keys(cols) as Table[]) {
  offsets[t] = width;
  width += cols[t].length;
}
const col = (t: Table, c: string) => offsets[t] + (cols[t] as readonly string[]).indexOf(c);

export const LIST_SQL =
  "select " +
  (Object.keys(cols) as Table[]).flatMap((t) => cols[t].map((c) => `"${t}"."${c}"`)).join(", ") +
  ' from "appointments" inner join "slots" on "slots"."id" = "appointments"."slot_id" inner join "clinics" on "clinics"."id" = "slots"."clinic_id" inner join "appointment_types" on "appointment_types"."id" = "slots"."type_id" left join "practitioners" on "practitioners"."id" = "slots"."practitioner_id" where "appointments"."patient_id" = $1 order by "slots"."starts_at" asc limit $2';
export const SESSION_SQL =
  'select "id_hash", "patient_id", "created_at", "last_seen_at", "absolute_expires_at", "revoked_at", "user_agent", "ip" from "sessions" where "sessions"."id_hash" = $1 limit $2';
export const TOUCH_SQL =
  'update "sessions" set "last_seen_at" = $1 where ("sessions"."id_hash" = $2 and "sessions"."revoked_at" is null)';
export const LOCK_SQL = "select pg_advisory_xact_lock($1)";
export const LAST_AUDIT_SQL = 'select "seq", "hash" from "audit_events" order by "audit_events"."seq" desc limit $1';
export const INSERT_AUDIT_SQL =
  'insert into "audit_events" ("seq", "at", "actor_type", "actor_id", "action", "resource_type", "resource_id", "patient_id", "ip", "user_agent", "details", "prev_hash", "hash") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)';
const AUDIT_CHAIN_LOCK = 7_270_001;
// The sequencer design (migration 0013, audit_chain): the request only inserts its row.
export const INSERT_AUDIT_V3_SQL =
  'insert into "audit_events" ("seq", "at", "actor_type", "actor_id", "action", "resource_type", "resource_id", "patient_id", "ip", "user_agent", "details", "actor_role", "hash_version", "prev_hash", "hash", "xid") values (default, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, default, default, default)';
export const AUDIT_DESIGN_SQL = "select to_regclass('audit_chain') is not null as sequenced";

type Param = string | number | null;
// Unnamed statements (parse + bind each time), exactly as drizzle's postgres-js driver sends them.
const q = (s: postgres.Sql | postgres.TransactionSql, text: string, params: Param[]) =>
  s.unsafe(text, params as never[], { prepare: false });

export interface VisitRow {
  startsAt: Date;
  endsAt: Date;
  status: string;
  typeName: string;
  clinicName: string;
  timeZone: string;
}

export interface BesokContext {
  sql: postgres.Sql;
  /** Does the database have the sequencer design? Asked once: the bench measures either code. */
  sequenced: Promise<boolean>;
  secret: string;
  idleMinutes: number;
}

/** One client per process, like db/client.ts openDatabase: a pool of 10, UTC session time zone. */
export function besokContext(env: Record<string, string | undefined>): BesokContext {
  if (!env.DATABASE_URL || !env.AUTH_SECRET) throw new Error("DATABASE_URL and AUTH_SECRET are required");
  const g = globalThis as unknown as { benchSql?: postgres.Sql; benchSequenced?: Promise<boolean> };
  g.benchSql ??= postgres(env.DATABASE_URL, { max: 10, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  g.benchSequenced ??= g.benchSql.unsafe(AUDIT_DESIGN_SQL).then((r) => Boolean(r[0]?.sequenced));
  return {
    sql: g.benchSql,
    sequenced: g.benchSequenced,
    secret: env.AUTH_SECRET,
    idleMinutes: Number(env.SESSION_IDLE_MINUTES ?? 30),
  };
}

export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** The patient's visits (upcoming soonest first, past latest first), or null: not logged in. */
export async function loadBesok(
  ctx: BesokContext,
  req: {
    cookie: string | null | undefined;
    forwardedFor: string | null | undefined;
    realIp: string | null | undefined;
    userAgent: string | null | undefined;
  },
): Promise<{ upcoming: VisitRow[]; past: VisitRow[] } | null> {
  const token = cookieValue(req.cookie, "vardtid.session");
  const jwt = token ? await decode({ token, secret: ctx.secret }).catch(() => null) : null;
  const sid = typeof jwt?.sid === "string" ? jwt.sid : null;
  if (!sid) return null;
  const now = new Date();
  const idHash = sha256Hex(sid);
  const [row] = await q(ctx.sql, SESSION_SQL, [idHash, 1]);
  if (!row) return null;
  const stored = {
    createdAt: row.created_at as Date,
    lastSeenAt: row.last_seen_at as Date,
    absoluteExpiresAt: row.absolute_expires_at as Date,
    revokedAt: row.revoked_at as Date | null,
  };
  if (sessionState(stored, now, { idleMinutes: ctx.idleMinutes }) !== "active") return null;
  if (shouldTouch(stored, now)) await q(ctx.sql, TOUCH_SQL, [now.toISOString(), idHash]);
  const patientId = row.patient_id as string;

  const rows = await q(ctx.sql, LIST_SQL, [patientId, 500]).values();
  const ip = req.forwardedFor?.split(",")[0]?.trim() || req.realIp || "127.0.0.1";
  const fields = {
    at: now,
    actorType: "patient",
    actorId: patientId,
    action: "appointment.list",
    resourceType: "appointment",
    resourceId: null,
    patientId,
    ip,
    userAgent: req.userAgent ? req.userAgent.slice(0, 300) : null,
    details: { count: rows.length },
  };
  if (await ctx.sequenced)
    await q(ctx.sql, INSERT_AUDIT_V3_SQL, [
      now.toISOString(),
      fields.actorType,
      fields.actorId,
      fields.action,
      fields.resourceType,
      null,
      patientId,
      ip,
      fields.userAgent,
      JSON.stringify(fields.details),
      null,
      3,
    ]);
  else
    await ctx.sql.begin(async (tx) => {
      await q(tx, LOCK_SQL, [AUDIT_CHAIN_LOCK]);
      const [last] = await q(tx, LAST_AUDIT_SQL, [1]);
      const seq = (last ? Number(last.seq) : 0) + 1;
      const prevHash = (last?.hash as string | undefined) ?? GENESIS_HASH;
      const hash = auditHash(prevHash, { seq, ...fields });
      await q(tx, INSERT_AUDIT_SQL, [
        seq,
        now.toISOString(),
        fields.actorType,
        fields.actorId,
        fields.action,
        fields.resourceType,
        null,
        patientId,
        ip,
        fields.userAgent,
        JSON.stringify(fields.details),
        prevHash,
        hash,
      ]);
    });

  const upcoming: VisitRow[] = [];
  const past: VisitRow[] = [];
  for (const r of rows) {
    const v: VisitRow = {
      startsAt: r[col("slots", "starts_at")] as Date,
      endsAt: r[col("slots", "ends_at")] as Date,
      status: r[col("appointments", "status")] as string,
      typeName: r[col("appointment_types", "name_sv")] as string,
      clinicName: r[col("clinics", "name")] as string,
      timeZone: r[col("clinics", "time_zone")] as string,
    };
    if (v.endsAt > now && v.status !== "completed" && v.status !== "no_show") upcoming.push(v);
    else past.unshift(v);
  }
  return { upcoming, past };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
export function formatVisitTime(date: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("sv-SE", {
      timeZone,
      weekday: "long",
      day: "numeric",
      month: "long",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f.format(date);
}
