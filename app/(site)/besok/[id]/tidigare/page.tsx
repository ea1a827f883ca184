import Link from "next/link";
import { TZDate } from "@date-fns/tz";
import { getTranslations } from "next-intl/server";
import { CannotChange } from "@/components/cannot-change";
import { RecentChange } from "@/components/recent-change";
import { StaleGuard } from "@/components/stale-guard";
import { myAppointment } from "@/lib/appointments/dal";
import { formatVisit } from "@/lib/format";
import { myWaitlist } from "@/lib/waitlist/dal";
import { NOTICE_CHOICES, TIMES_OF_DAY } from "@/lib/waitlist/wishes";
import { saveWaitlistAction, stopWaitlistAction } from "@/lib/waitlist/actions";

export async function generateMetadata() {
  const t = await getTranslations("waitlist");
  return { title: t("title") };
}

const ERRORS = [
  "not_found",
  "past_cutoff",
  "not_allowed",
  "not_booked",
  "past",
  "unauthorized",
  "invalid",
  "unexpected",
];

function clinicToday(timeZone: string): string {
  const z = new TZDate(Date.now(), timeZone);
  return `${z.getFullYear()}-${String(z.getMonth() + 1).padStart(2, "0")}-${String(z.getDate()).padStart(2, "0")}`;
}

export default async function EarlierTimePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const returnTo = `/besok/${id}/tidigare`;
  const { appointment: a, locale, now } = await myAppointment(id, returnTo);
  const state = await myWaitlist(a.id, returnTo);
  const t = await getTranslations("waitlist");
  const ta = await getTranslations("appointments");
  if (!a.rebook.allowed) return <CannotChange appointment={a} reason={a.rebook.reason} errorNamespace="rebook" />;
  const wish = state.wish;
  const error = query.fel && ERRORS.includes(query.fel) ? query.fel : query.fel ? "unexpected" : null;
  const notice = wish?.minNoticeMinutes ?? 1440;
  return (
    <section aria-labelledby="waitlist-title">
      <p>
        <Link href={`/besok/${a.id}`}>
          <span className="arrow" aria-hidden="true">
            ←
          </span>{" "}
          {ta("back")}
        </Link>
      </p>
      <h1 id="waitlist-title">{t("title")}</h1>
      <StaleGuard renderId={crypto.randomUUID()} />
      <RecentChange appointment={a} locale={locale} now={now} />
      <p>
        <bdi lang={a.textLang === locale ? undefined : a.textLang}>
          {a.type.name}, {a.clinic.name}
        </bdi>
        : {formatVisit(a.startsAt, locale, a.clinic.timeZone, now)}
      </p>
      {!state.enabled ? (
        <p className="notice">{t("errors.not_allowed")}</p>
      ) : (
        <>
          <p>{t("intro")}</p>
          {error ? (
            <p className="notice notice--error" role="alert">
              {t(`errors.${error}`)}
            </p>
          ) : null}
          <form action={saveWaitlistAction} className="stack card">
            <input type="hidden" name="appointmentId" value={a.id} />
            <div className="field">
              <label htmlFor="fromDate">{t("fromDate")}</label>
              <input
                id="fromDate"
                name="fromDate"
                type="date"
                required
                defaultValue={wish?.fromDate ?? clinicToday(a.clinic.timeZone)}
              />
            </div>
            <fieldset className="segmented">
              <legend>{t("weekdaysLegend")}</legend>
              {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                <label key={d}>
                  <input
                    type="checkbox"
                    name="weekdays"
                    value={d}
                    defaultChecked={wish?.weekdays.includes(d) ?? false}
                  />
                  <span>{t(`weekdays.${d}`)}</span>
                </label>
              ))}
            </fieldset>
            <fieldset className="segmented">
              <legend>{t("timesLegend")}</legend>
              {TIMES_OF_DAY.map((time) => (
                <label key={time}>
                  <input
                    type="checkbox"
                    name="timesOfDay"
                    value={time}
                    defaultChecked={wish?.timesOfDay.includes(time) ?? false}
                  />
                  <span>{t(`times.${time}`)}</span>
                </label>
              ))}
            </fieldset>
            <fieldset className="segmented">
              <legend>{t("noticeLegend")}</legend>
              {NOTICE_CHOICES.map((minutes) => (
                <label key={minutes}>
                  <input
                    type="radio"
                    name="minNoticeMinutes"
                    value={minutes}
                    defaultChecked={notice === minutes}
                    required
                  />
                  <span>{t(`notice.${minutes}`)}</span>
                </label>
              ))}
            </fieldset>
            <div className="actions">
              <button type="submit" className="button">
                {wish ? t("change") : t("save")}
              </button>
            </div>
          </form>
          {wish ? (
            <form action={stopWaitlistAction} className="actions">
              <input type="hidden" name="appointmentId" value={a.id} />
              <button type="submit" className="button button--secondary">
                {t("stop")}
              </button>
            </form>
          ) : null}
        </>
      )}
    </section>
  );
}
