// The one rule for how many hours before a visit the patient may still change it: the appointment
// type's own cutoff where it has one, else the clinic's. Written once in TypeScript (for rows
// already loaded) and once in SQL (for queries that filter or select by it); every caller uses one
// of these two. Beside it, the SQL form of the other half of "may the patient change this visit
// online" (self-service), which the reminder jobs select with the cutoff.
import { sql } from "drizzle-orm";
import { appointmentTypes, clinics } from "@/db/schema";

export function effectiveCutoffHours(
  type: { cancelCutoffHours: number | null },
  clinic: { cancelCutoffHours: number },
): number {
  return type.cancelCutoffHours ?? clinic.cancelCutoffHours;
}

/** The same rule as a SQL expression over a query that joins `appointment_types` and `clinics`. */
export const effectiveCutoffHoursSql = sql<number>`coalesce(${appointmentTypes.cancelCutoffHours}, ${clinics.cancelCutoffHours})`;

/**
 * Whether the patient may change the visit online at all: the clinic allows self-service cancel and
 * the type is cancellable, or the clinic allows self-service rebook and the type is rebookable. The
 * SQL twin of the `cancel`/`rebook` flags in appointment-query.ts, over the same two joins.
 */
export const selfServiceSql = sql<boolean>`(${clinics.selfServiceCancel} and ${appointmentTypes.cancellable}) or (${clinics.selfServiceRebook} and ${appointmentTypes.rebookable})`;
