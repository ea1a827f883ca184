import Link from "next/link";
import type { AppointmentView } from "@/lib/appointments/service";
import { capitalizeFirst, formatShort, formatVisit, type Locale } from "@/lib/format";

export interface AppointmentCardText {
  status: Record<AppointmentView["status"], string>;
  details: string;
  receiptCancelled: (date: string) => string;
}

// Dumb: everything it shows comes in through props.
export function AppointmentCard({
  appointment: a,
  locale,
  now,
  text,
}: {
  appointment: AppointmentView;
  locale: Locale;
  /** For "idag"/"imorgon" and the year rules (lib/format.ts). */
  now: Date;
  text: AppointmentCardText;
}) {
  const when = formatVisit(a.startsAt, locale, a.clinic.timeZone, now);
  // The clinic's own texts are Swedish or English; marked so a screen reader reads them right.
  const textLang = a.textLang === locale ? undefined : a.textLang;
  return (
    <li className={`card appointment appointment--${a.status}`}>
      <p className="appointment__when">
        <span className={`badge badge--${a.status}`}>{text.status[a.status]}</span>
        <time dateTime={a.startsAt.toISOString()}>{capitalizeFirst(when)}</time>
      </p>
      <h3 className="appointment__title">
        <Link href={`/besok/${a.id}`}>
          <span lang={textLang}>{a.type.name}</span>
          <span className="visually-hidden">, {when}</span>
        </Link>
      </h3>
      <p className="appointment__meta">
        {a.clinic.name}
        {a.practitionerRole ? (
          <>
            {" · "}
            <span lang={textLang}>{a.practitionerRole}</span>
          </>
        ) : null}
      </p>
      <p className="appointment__address">{a.clinic.address}</p>
      {a.type.preparation && a.status === "booked" ? (
        <p className="appointment__prep" lang={textLang}>
          {a.type.preparation}
        </p>
      ) : null}
      {a.cancelledAt ? (
        <p className="receipt">{text.receiptCancelled(formatShort(a.cancelledAt, locale, a.clinic.timeZone, now))}</p>
      ) : null}
    </li>
  );
}
