import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { AppointmentView } from "@/lib/appointments/service";
import type { PatientChangeRefusal } from "@/lib/appointments/cancellation-policy";
import { telHref } from "@/lib/format";

// Shown instead of a cancel or rebook form when the patient may not change the visit here:
// why, and the clinic's phone number.
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
        {ta("callClinic", { clinic: a.clinic.phone })}
      </a>
      <p>
        <Link href={`/besok/${a.id}`}>{ta("back")}</Link>
      </p>
    </section>
  );
}
