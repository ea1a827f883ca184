import Link from "next/link";
import { Fragment } from "react";
import { getTranslations } from "next-intl/server";
import { StaleGuard } from "@/components/stale-guard";
import { clinicTextLang } from "@/lib/appointments/clinic-texts";
import { myAppointment } from "@/lib/appointments/dal";
import { capitalizeFirst, formatShort, formatVisit, ltrIsolate, telHref } from "@/lib/format";
import { myWaitlist } from "@/lib/waitlist/dal";

export async function generateMetadata() {
  const t = await getTranslations("appointments");
  return { title: t("details") };
}

export default async function AppointmentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const { appointment: a, locale, now } = await myAppointment(id, `/besok/${id}`);
  const t = await getTranslations("appointments");
  const tc = await getTranslations("cancel");
  const tr = await getTranslations("rebook");
  const tw = await getTranslations("waitlist");
  const to = await getTranslations("offer");
  const waitlist = a.status === "booked" ? await myWaitlist(a.id, `/besok/${id}`) : null;
  const tz = a.clinic.timeZone;
  const when = formatVisit(a.startsAt, locale, tz, now);
  // The clinic's own texts are Swedish or English; marked for screen readers where they differ.
  const textLang = a.textLang === locale ? undefined : a.textLang;
  const { directions, checkIn, identification, lateArrival, missedVisitFee } = a.clinic.texts;
  // What to do on the day (check-in, ID, late, missed-visit fee), where the clinic has said it.
  const beforeVisit = (
    [
      ["checkIn", checkIn],
      ["identification", identification],
      ["lateArrival", lateArrival],
      ["missedVisitFee", missedVisitFee],
    ] as const
  ).filter(([, text]) => text !== null);
  const changeBlocked =
    a.status === "booked" &&
    !a.cancel.allowed &&
    (a.cancel.reason === "past_cutoff" || a.cancel.reason === "not_allowed");
  return (
    <article aria-labelledby="appt-title">
      <StaleGuard renderId={crypto.randomUUID()} />
      <p>
        <Link href="/besok" prefetch={false}>
          <span className="arrow" aria-hidden="true">
            ←
          </span>{" "}
          {t("back")}
        </Link>
      </p>
      {query.avbokad ? (
        <p className="notice notice--success" role="status">
          {tc("done")}
        </p>
      ) : null}
      {query.ombokad ? (
        <div className="notice notice--success" role="status">
          <p>{tr("done", { date: when })}</p>
          {query["ny-mottagning"] ? (
            <p>
              <strong>{tr("doneOtherClinic", { clinic: a.clinic.name, address: a.clinic.address })}</strong>
            </p>
          ) : null}
        </div>
      ) : null}
      {query.redan ? (
        // A change from an old page (back button, another tab) that found the visit already
        // changed: what happened, and the visit as it is now below. Nothing more was changed.
        <p className="notice" role="status">
          {a.status === "cancelled"
            ? t("alreadyCancelled")
            : a.status === "booked" && a.rebookedAt
              ? t("alreadyMoved", { date: when })
              : t("alreadyChanged")}
        </p>
      ) : null}
      {query.flyttad ? (
        <p className="notice notice--success" role="status">
          {to("moved", { date: when })}
        </p>
      ) : null}
      {query.tidigare ? (
        <p className="notice notice--success" role="status">
          {tw("saved")}
        </p>
      ) : null}
      {query.slutat ? (
        <p className="notice notice--success" role="status">
          {tw("stopped")}
        </p>
      ) : null}
      {waitlist?.offers.map((o) => (
        <div key={o.id} className="notice" role="note">
          <h2>{tw("offerWaiting", { date: formatVisit(o.startsAt, locale, tz, now) })}</h2>
          <Link className="button" href={`/besok/${a.id}/erbjudande/${o.id}`}>
            {tw("showOffer")}
          </Link>
        </div>
      ))}
      <div className="card">
        <p className="appointment__when">
          <span className={`badge badge--${a.status}`}>{t(`status.${a.status}`)}</span>
        </p>
        <h1 id="appt-title" lang={textLang}>
          {a.type.name}
        </h1>
        <dl className="facts">
          <dt>{t("when")}</dt>
          <dd>
            <time dateTime={a.startsAt.toISOString()}>{capitalizeFirst(when)}</time> (
            {t("duration", { minutes: a.type.durationMinutes })})
          </dd>
          <dt>{t("where")}</dt>
          <dd>
            {a.clinic.name}
            <br />
            {a.clinic.address}
          </dd>
          {a.practitionerRole ? (
            <>
              <dt>{t("with")}</dt>
              <dd lang={textLang}>{a.practitionerRole}</dd>
            </>
          ) : null}
          {directions ? (
            <>
              <dt>{t("howToGetThere")}</dt>
              <dd lang={clinicTextLang(directions, locale)}>{directions.text}</dd>
            </>
          ) : null}
          {a.type.preparation ? (
            <>
              <dt>{t("preparation")}</dt>
              <dd lang={textLang}>{a.type.preparation}</dd>
            </>
          ) : null}
        </dl>
        {a.type.isVideo ? <p className="notice">{t("video")}</p> : null}
        {a.cancelledAt ? (
          <p className="receipt">{t("receiptCancelled", { date: formatShort(a.cancelledAt, locale, tz, now) })}</p>
        ) : null}
        {a.rebookedAt && a.previousStartsAt ? (
          <p className="receipt">
            {t("receiptRebooked", {
              date: formatShort(a.rebookedAt, locale, tz, now),
              previous: formatShort(a.previousStartsAt, locale, tz, now),
            })}
          </p>
        ) : null}
      </div>

      {a.status === "booked" && beforeVisit.length > 0 ? (
        <section className="card" aria-labelledby="before-visit-title">
          <h2 id="before-visit-title">{t("beforeVisit.title")}</h2>
          <dl className="facts">
            {beforeVisit.map(([key, text]) => (
              <Fragment key={key}>
                <dt>{t(`beforeVisit.${key}`)}</dt>
                <dd lang={clinicTextLang(text!, locale)}>{text!.text}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      ) : null}

      {waitlist?.wish ? (
        <div className="notice" role="note">
          <h2>{tw("active")}</h2>
          <p>{tw("activeSince", { date: formatShort(waitlist.wish.since, locale, tz, now) })}</p>
          <Link href={`/besok/${a.id}/tidigare`}>{tw("changeLink")}</Link>
        </div>
      ) : null}

      {changeBlocked ? (
        <div className="notice" role="note">
          <h2>{t("cannotChangeTitle")}</h2>
          <p>
            {a.cancel.allowed
              ? null
              : a.cancel.reason === "past_cutoff"
                ? t("pastCutoff", { hours: String(a.cutoffHours) })
                : t("notAllowed")}
          </p>
        </div>
      ) : null}

      <div className="actions">
        {a.status === "booked" && a.rebook.allowed ? (
          <Link className="button" href={`/besok/${a.id}/omboka`}>
            {t("rebook")}
          </Link>
        ) : null}
        {a.status === "booked" && a.rebook.allowed && waitlist?.enabled && !waitlist.wish ? (
          <Link className="button button--secondary" href={`/besok/${a.id}/tidigare`}>
            {tw("ask")}
          </Link>
        ) : null}
        {a.status === "booked" && a.cancel.allowed ? (
          <Link className="button button--secondary" href={`/besok/${a.id}/avboka`}>
            {t("cancel")}
          </Link>
        ) : null}
        {a.status === "booked" ? (
          <a className="button button--secondary" href={`/besok/${a.id}/kalender`} download>
            {t("addToCalendar")}
          </a>
        ) : null}
        <a className="button button--secondary" href={telHref(a.clinic.phone)}>
          {t("callClinic", { clinic: ltrIsolate(a.clinic.phone, locale) })}
        </a>
      </div>
    </article>
  );
}
