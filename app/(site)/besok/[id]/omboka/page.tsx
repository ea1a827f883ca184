import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { CannotChange } from "@/components/cannot-change";
import { RecentChange } from "@/components/recent-change";
import { StaleGuard } from "@/components/stale-guard";
import { QueryProvider } from "@/components/query-provider";
import { RebookPicker } from "@/components/rebook-picker";
import { myAppointment } from "@/lib/appointments/dal";
import { formatVisit } from "@/lib/format";

export async function generateMetadata() {
  const t = await getTranslations("rebook");
  return { title: t("title") };
}

export default async function RebookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { appointment: a, locale, now } = await myAppointment(id, `/besok/${id}/omboka`);
  const t = await getTranslations("rebook");
  const ta = await getTranslations("appointments");
  const current = formatVisit(a.startsAt, locale, a.clinic.timeZone, now);
  if (!a.rebook.allowed) return <CannotChange appointment={a} reason={a.rebook.reason} errorNamespace="rebook" />;
  const errorKeys = [
    "taken",
    "slot_unavailable",
    "not_found",
    "past_cutoff",
    "not_allowed",
    "not_booked",
    "past",
    "unauthorized",
    "invalid",
    "network",
    "unexpected",
  ];
  return (
    <section aria-labelledby="rebook-title">
      <p>
        <Link href={`/besok/${a.id}`}>
          <span className="arrow" aria-hidden="true">
            ←
          </span>{" "}
          {ta("back")}
        </Link>
      </p>
      <h1 id="rebook-title">{t("title")}</h1>
      <StaleGuard renderId={crypto.randomUUID()} />
      <RecentChange appointment={a} locale={locale} now={now} />
      <p>
        {/* Isolated: the clinic's Swedish text keeps its own direction inside an Arabic or Persian sentence. */}
        <bdi lang={a.textLang === locale ? undefined : a.textLang}>
          {a.type.name}, {a.clinic.name}
        </bdi>
        . {t("current", { date: current })}
      </p>
      <QueryProvider>
        <RebookPicker
          appointmentId={a.id}
          version={a.version}
          locale={locale}
          currentLabel={current}
          currentClinic={a.clinic.name}
          text={{
            filterLegend: t("filterLegend"),
            all: t("all"),
            morning: t("morning"),
            afternoon: t("afternoon"),
            previousWeek: t("previousWeek"),
            nextWeek: t("nextWeek"),
            noSlots: t("noSlots"),
            loading: t("loading"),
            error: t("error"),
            confirmTitle: t("confirmTitle"),
            confirm: t("confirm"),
            back: t("back"),
            moving: t("moving"),
            otherClinic: t.raw("otherClinic") as string,
            ownClinic: t.raw("ownClinic") as string,
            sisterClinic: t.raw("sisterClinic") as string,
            clinicChangeTitle: t("clinicChangeTitle"),
            clinicChangeText: t.raw("clinicChangeText") as string,
            chooseLabel: t.raw("choose") as string,
            weekLabel: t.raw("week") as string,
            confirmText: t.raw("confirmText") as string,
            errors: Object.fromEntries(errorKeys.map((k) => [k, t(`errors.${k}`)])),
          }}
        />
      </QueryProvider>
    </section>
  );
}
