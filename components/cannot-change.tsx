import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import type { AppointmentView } from "@/lib/appointments/service";
import type { PatientChangeRefusal } from "@/lib/appointments/cancellation-policy";
import { isLocale } from "@/i18n/locales";
import { ltrIsolate, telHref } from "@/lib/format";

/** The cutoff in whole hours, from the deadline the policy reported (DST-proof for the text). */
export function cutoffHoursOf(a: Pick<AppointmentView, "startsAt">, deadline: Date | undefined): number {
  return deadline ? Math.round((a.startsAt.getTime() - deadline.getTime()) / 3_600_000) : 24;
}

// Shown instead of a cancel or rebook form when the patient may not change the visit here:
// why, and the clinic's phone number.
export async function CannotChange({
  appointment: a,
  reason,
  deadline,
  errorNamespace,
}: {
  appointment: AppointmentView;
  reason: PatientChangeRefusal;
  deadline?: Date;
  errorNamespace: "cancel" | "rebook";
}) {
  const ta = await getTranslations("appointments");
  const te = await getTranslations(errorNamespace);
  const raw = await getLocale();
  const locale = isLocale(raw) ? raw : "sv";
  const text =
    reason === "past_cutoff"
      ? ta("pastCutoff", { hours: String(cutoffHoursOf(a, deadline)) })
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
