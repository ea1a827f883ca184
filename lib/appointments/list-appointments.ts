import { and, asc, eq, sql, type Placeholder } from "drizzle-orm";
import { mayPrepare, type Db } from "@/db/client";
import { appointments, slots } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { baseQuery, toView, visibleToPatient } from "./appointment-query";
import type { AppointmentView, AuditMeta, Locale } from "./types";

const listQuery = (db: Db, patientId: string | Placeholder) =>
  baseQuery(db)
    .where(and(eq(appointments.patientId, patientId), visibleToPatient))
    .orderBy(asc(slots.startsAt))
    .limit(500);

// The list is every view's query: planned once per connection where the database allows it.
const prepared = new WeakMap<Db, ReturnType<ReturnType<typeof listQuery>["prepare"]>>();
function preparedList(db: Db) {
  let query = prepared.get(db);
  if (!query) {
    query = listQuery(db, sql.placeholder("patientId")).prepare("appointment_list");
    prepared.set(db, query);
  }
  return query;
}

/** Upcoming (soonest first), then past (latest first). */
export async function listAppointments(
  db: Db,
  patientId: string,
  opts: { locale: Locale; now: Date; audit: AuditMeta },
): Promise<{ upcoming: AppointmentView[]; past: AppointmentView[] }> {
  const rows = mayPrepare(db) ? await preparedList(db).execute({ patientId }) : await listQuery(db, patientId);
  const views = rows.map((r) => toView(r, opts.locale, opts.now));
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "appointment.list",
    resourceType: "appointment",
    patientId,
    ...opts.audit,
    details: { count: views.length },
  });
  const isUpcoming = (v: AppointmentView) => v.endsAt > opts.now && v.status !== "completed" && v.status !== "no_show";
  return {
    upcoming: views.filter(isUpcoming),
    past: views.filter((v) => !isUpcoming(v)).reverse(),
  };
}
