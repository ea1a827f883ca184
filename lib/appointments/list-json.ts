import "server-only";
import { capitalizeFirst, formatShort, formatVisit } from "@/lib/format";
import type { AppointmentListItem } from "./list-item";
import type { AppointmentView, Locale } from "./types";

/** One visit as "Mina tider" shows it (lib/appointments/list-item.ts): nothing the card does not show. */
export function toListItem(a: AppointmentView, locale: Locale, now: Date): AppointmentListItem {
  const when = formatVisit(a.startsAt, locale, a.clinic.timeZone, now);
  return {
    id: a.id,
    status: a.status,
    startsAt: a.startsAt.toISOString(),
    when: capitalizeFirst(when),
    whenInline: when,
    typeName: a.type.name,
    clinicName: a.clinic.name,
    practitionerRole: a.practitionerRole,
    address: a.clinic.address,
    preparation: a.type.preparation && a.status === "booked" ? a.type.preparation : null,
    textLang: a.textLang === locale ? null : a.textLang,
    cancelledLabel: a.cancelledAt ? formatShort(a.cancelledAt, locale, a.clinic.timeZone, now) : null,
  };
}
