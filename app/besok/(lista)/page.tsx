import { getTranslations } from "next-intl/server";
import { AppointmentList } from "@/components/appointment-list";
import { InstallHint } from "@/components/install-hint";
import { OfflineCopyRefresher } from "@/components/offline-copy";
import { QueryProvider } from "@/components/query-provider";
import { requirePatient } from "@/lib/auth/current-patient";

export async function generateMetadata() {
  const t = await getTranslations("appointments");
  return { title: t("title") };
}

// "Mina tider" is a shell: headings, texts and the client component that fetches the patient's
// visits from GET /api/appointments (audited there). The page renders no patient data, so its
// server cost is the layout's; bench/README.md, part (a), has the figures that led here.
export default async function AppointmentsPage() {
  await requirePatient("/besok");
  const t = await getTranslations("appointments");
  const tp = await getTranslations("pwa");
  const ts = await getTranslations("states");
  return (
    <>
      <h1>{t("title")}</h1>
      <noscript>
        <p className="notice">{t("needsJs")}</p>
      </noscript>
      <OfflineCopyRefresher />
      <QueryProvider>
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
      </QueryProvider>
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
