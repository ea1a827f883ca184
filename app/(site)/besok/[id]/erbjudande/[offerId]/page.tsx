// An earlier-time offer: the patient's time now and the offered time side by side, one button to
// take it. Reached from the SMS link (/l/<token>, through login) or the appointment page.
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { OfferAnswerEnhancer } from "@/components/offer-answer-enhancer";
import { StaleGuard } from "@/components/stale-guard";
import { myAppointment } from "@/lib/appointments/dal";
import { formatShort, formatVisit } from "@/lib/format";
import { myOffer } from "@/lib/waitlist/dal";
import { answerOfferAction } from "@/lib/waitlist/actions";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("offer");
  return { title: t("title"), robots: { index: false, follow: false } };
}

const ERRORS = ["not_found", "not_booked", "answered", "unauthorized", "invalid", "unexpected"];

export default async function OfferPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string; offerId: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { id, offerId } = await params;
  const query = await searchParams;
  const { appointment: a, locale, now } = await myAppointment(id, `/besok/${id}/erbjudande/${offerId}`);
  const offer = await myOffer(a.id, offerId);
  const t = await getTranslations("offer");
  const ta = await getTranslations("appointments");
  const status = offer.status;
  // Answering again from an old page (back button, another tab) after taking the time is not an
  // error to the patient: the page says the time is theirs and where the visit is now.
  const error =
    query.fel && ERRORS.includes(query.fel) && !(status === "accepted" && query.fel === "answered") ? query.fel : null;
  return (
    <section aria-labelledby="offer-title">
      <p>
        <Link href={`/besok/${a.id}`}>
          <span className="arrow" aria-hidden="true">
            ←
          </span>{" "}
          {ta("back")}
        </Link>
      </p>
      <h1 id="offer-title">{t("title")}</h1>
      <StaleGuard renderId={crypto.randomUUID()} />
      {status === "taken" || status === "withdrawn" ? (
        <div className="notice" role="status">
          <h2>{t("taken")}</h2>
          <p>{t("takenText")}</p>
        </div>
      ) : null}
      {status === "expired" ? (
        <div className="notice" role="status">
          <h2>{t("expired")}</h2>
          <p>{t("expiredText")}</p>
        </div>
      ) : null}
      {status === "declined" ? (
        <p className="notice" role="status">
          {t("declined")}
        </p>
      ) : null}
      {status === "accepted" ? (
        <div className="notice notice--success" role="status">
          <p>
            {t("accepted")} {t("moved", { date: formatVisit(a.startsAt, locale, a.clinic.timeZone, now) })}
          </p>
          <Link href={`/besok/${a.id}`}>{ta("details")}</Link>
        </div>
      ) : null}
      {error ? (
        <p className="notice notice--error" role="alert">
          {t(`errors.${error}`)}
        </p>
      ) : null}
      <ul className="cards cards--2">
        <li className="card">
          <h2>{t("current")}</h2>
          <p className="appointment__when">
            <time dateTime={a.startsAt.toISOString()}>{formatVisit(a.startsAt, locale, a.clinic.timeZone, now)}</time>
          </p>
          <p>{a.clinic.name}</p>
        </li>
        <li className="card">
          <h2>{t("offered")}</h2>
          <p className="appointment__when">
            <time dateTime={offer.offered.startsAt.toISOString()}>
              {formatVisit(offer.offered.startsAt, locale, offer.offered.timeZone, now)}
            </time>
          </p>
          <p>
            {offer.offered.clinicName}
            <br />
            {offer.offered.address}
          </p>
        </li>
      </ul>
      {status === "pending" && a.status === "booked" ? (
        <>
          <p>{t("explain")}</p>
          <p>{t("respondBy", { date: formatShort(offer.expiresAt, locale, offer.offered.timeZone, now) })}</p>
          <form id="offer-answer" action={answerOfferAction} className="actions">
            <input type="hidden" name="appointmentId" value={a.id} />
            <input type="hidden" name="offerId" value={offer.id} />
            <button type="submit" name="answer" value="accept" className="button">
              {t("accept")}
            </button>
            <button type="submit" name="answer" value="decline" className="button button--secondary">
              {t("decline")}
            </button>
          </form>
          <OfferAnswerEnhancer
            formId="offer-answer"
            appointmentId={a.id}
            offerId={offer.id}
            text={{ answering: t("answering"), network: t("errors.network") }}
          />
        </>
      ) : null}
    </section>
  );
}
