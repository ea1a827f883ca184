import { getTranslations } from "next-intl/server";
import { AppointmentCard, type AppointmentCardText } from "@/components/appointment-card";
import { InstallHint } from "@/components/install-hint";
import { OfflineCopyRefresher } from "@/components/offline-copy";
import { myAppointments } from "@/lib/appointments/dal";

export async function generateMetadata() {
  const t = await getTranslations("appointments");
  return { title: t("title") };
}

export default async function AppointmentsPage() {
  const { upcoming, past, locale, now } = await myAppointments();
  const t = await getTranslations("appointments");
  const tp = await getTranslations("pwa");
  const text: AppointmentCardText = {
    status: {
      booked: t("status.booked"),
      cancelled: t("status.cancelled"),
      completed: t("status.completed"),
      no_show: t("status.no_show"),
    },
    details: t("details"),
    receiptCancelled: (date) => t("receiptCancelled", { date }),
  };
  return (
    <>
      <h1>{t("title")}</h1>
      <OfflineCopyRefresher />
      <section aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">{t("upcoming")}</h2>
        {upcoming.length === 0 ? (
          <div className="card empty">
            <p>{t("emptyUpcoming")}</p>
            <p className="muted">{t("emptyUpcomingHint")}</p>
          </div>
        ) : (
          <ul className="cards">
            {upcoming.map((a) => (
              <AppointmentCard key={a.id} appointment={a} locale={locale} now={now} text={text} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="past-title">
        <h2 id="past-title">{t("past")}</h2>
        {past.length === 0 ? (
          <p className="muted">{t("emptyPast")}</p>
        ) : (
          <ul className="cards">
            {past.map((a) => (
              <AppointmentCard key={a.id} appointment={a} locale={locale} now={now} text={text} />
            ))}
          </ul>
        )}
      </section>
      {/* Last on the page: it appears after load and must not push the appointments down. */}
      <InstallHint
        text={{
          install: tp("install"),
          installText: tp("installText"),
          iosTitle: tp("iosTitle"),
          iosText: tp("iosText"),
          dismiss: tp("dismiss"),
        }}
      />
    </>
  );
}
