import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import type { AppointmentView } from "@/lib/appointments/service";
import type { PatientChangeRefusal } from "@/lib/appointments/cancellation-policy";
import { isLocale } from "@/i18n/locales";
import { formatShort, ltrIsolate, telHref } from "@/lib/format";

// Shown instead of a cancel or rebook form when the patient may not change the visit here:
// why, and the clinic's phone number. A visit that is already cancelled (by the patient a moment
// ago, in this tab before "back" or in another one) is not a problem to call about: the page
// says what happened and links to the visit.
export async function CannotChange({
  appointment: a,
  reason,
  errorNamespace,
}: {
  appointment: AppointmentView;
  reason: PatientChangeRefusal;
  errorNamespace: "cancel" | "rebook";
}) {
  const ta = await getTranslations("appointments");
  const te = await getTranslations(errorNamespace);
  const raw = await getLocale();
  const locale = isLocale(raw) ? raw : "sv";
  if (a.status === "cancelled")
    return (
      <section className="hero narrow" aria-labelledby="cannot-change-title">
        <h1 id="cannot-change-title">{ta("alreadyCancelled")}</h1>
        {a.cancelledAt ? (
          <p>{ta("receiptCancelled", { date: formatShort(a.cancelledAt, locale, a.clinic.timeZone) })}</p>
        ) : null}
        <p>
          <Link className="button" href={`/besok/${a.id}`}>
            {ta("details")}
          </Link>
        </p>
        <p>
          <Link href="/besok" prefetch={false}>
            {ta("back")}
          </Link>
        </p>
      </section>
    );
  const text =
    reason === "past_cutoff"
      ? ta("pastCutoff", { hours: String(a.cutoffHours) })
      : reason === "not_allowed"
        ? ta("notAllowed")
        : te(`errors.${reason}`);
  return (
    <section className="hero narrow" aria-labelledby="cannot-change-title">
      <h1 id="cannot-change-title">{ta("cannotChangeTitle")}</h1>
      <p>{text}</p>
      <a className="button" href={telHref(a.clinic.phone)}>
        {ta("callClinic", { clinic: ltrIsolate(a.clinic.phone, locale) })}
      </a>
      <p>
        <Link href={`/besok/${a.id}`}>{ta("back")}</Link>
      </p>
    </section>
  );
}
