import { getTranslations, setRequestLocale } from "next-intl/server";
import { AfterAppointments } from "@/components/after-appointments";
import { AppointmentList } from "@/components/appointment-list";
import { InstallHint } from "@/components/install-hint";
import { OfflineCopyRefresher } from "@/components/offline-copy";
import { WhoActingFor, WhoName } from "@/components/who-bar";
import { isLocale, type Locale } from "@/i18n/locales";

export async function generateMetadata({ params }: { params: Promise<{ locale: string }> }) {
  const { locale } = await params;
  const t = await getTranslations({ locale: isLocale(locale) ? locale : "sv", namespace: "appointments" });
  return { title: t("title") };
}

// "Mina tider" as a prerendered shell (served for /besok by proxy.ts, precached by sw/sw.ts): the
// headings and texts in the patient's language, and the client component that fetches their
// visits from GET /api/appointments (audited there). bench/README.md, part (a), has the figures
// and the profile that led here.
export default async function AppointmentsShell({ params }: { params: Promise<{ locale: string }> }) {
  const { locale: raw } = await params;
  const locale: Locale = isLocale(raw) ? raw : "sv";
  setRequestLocale(locale);
  const t = await getTranslations({ locale, namespace: "appointments" });
  const tp = await getTranslations({ locale, namespace: "pwa" });
  const ts = await getTranslations({ locale, namespace: "states" });
  const ta = await getTranslations({ locale, namespace: "app" });
  const tg = await getTranslations({ locale, namespace: "guardian" });
  return (
    <>
      <h1>{t("title")}</h1>
      {/* Who, from the same request as the visits and shown with them: where the loading state
          was, so nothing on the screen moves when they arrive (no layout shift). */}
      <div className="shell-who">
        <WhoName text={{ loggedInAs: ta.raw("loggedInAs") as string }} />
        <WhoActingFor
          text={{
            loggedInAs: ta.raw("loggedInAs") as string,
            chooserLabel: tg("chooserLabel"),
            actingForSelf: tg("actingForSelf"),
            actingFor: tg.raw("actingFor") as string,
            self: tg.raw("self") as string,
            child: tg.raw("child") as string,
            ended: tg("ended"),
          }}
        />
      </div>
      <noscript>
        <p className="notice">{t("needsJs")}</p>
      </noscript>
      <OfflineCopyRefresher />
      <AppointmentList
        text={{
          upcoming: t("upcoming"),
          past: t("past"),
          emptyUpcoming: t("emptyUpcoming"),
          emptyUpcomingHint: t("emptyUpcomingHint"),
          emptyPast: t("emptyPast"),
          loading: t("loading"),
          errorTitle: t("errorTitle"),
          errorText: t("errorText"),
          retry: ts("retry"),
          status: {
            booked: t("status.booked"),
            cancelled: t("status.cancelled"),
            completed: t("status.completed"),
            no_show: t("status.no_show"),
          },
          receiptCancelled: t.raw("receiptCancelled") as string,
        }}
      />
      {/* Last on the page, and only after the visits: it must not push them down, nor be pushed. */}
      <AfterAppointments>
        <InstallHint
          text={{
            install: tp("install"),
            installText: tp("installText"),
            iosTitle: tp("iosTitle"),
            iosText: tp("iosText"),
            dismiss: tp("dismiss"),
          }}
        />
      </AfterAppointments>
    </>
  );
}
