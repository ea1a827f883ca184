import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { baseQuery, toView, visibleToPatient } from "./appointment-query";
import { isUuid, type AppointmentView, type AuditMeta, type Locale } from "./types";

/** The patient's own appointment, audited; null for a foreign id exactly as for a made-up one. */
export async function getAppointment(
  db: Db,
  patientId: string,
  appointmentId: string,
  opts: { locale: Locale; now: Date; audit: AuditMeta },
): Promise<AppointmentView | null> {
  if (!isUuid(appointmentId)) return null;
  const [row] = await baseQuery(db)
    .where(and(eq(appointments.id, appointmentId), eq(appointments.patientId, patientId), visibleToPatient))
    .limit(1);
  if (!row) return null;
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "appointment.read",
    resourceType: "appointment",
    resourceId: appointmentId,
    patientId,
    ...opts.audit,
  });
  return toView(row, opts.locale, opts.now);
}
