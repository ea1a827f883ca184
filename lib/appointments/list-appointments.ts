import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, slots } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { baseQuery, toView, visibleToPatient } from "./appointment-query";
import type { AppointmentView, AuditMeta, Locale } from "./types";

/** Upcoming (soonest first), then past (latest first). */
export async function listAppointments(
  db: Db,
  patientId: string,
  opts: { locale: Locale; now: Date; audit: AuditMeta },
): Promise<{ upcoming: AppointmentView[]; past: AppointmentView[] }> {
  const rows = await baseQuery(db)
    .where(and(eq(appointments.patientId, patientId), visibleToPatient))
    .orderBy(asc(slots.startsAt))
    .limit(500);
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
