import { getTranslations } from "next-intl/server";
import { CancelForm } from "@/components/cancel-form";
import { CannotChange } from "@/components/cannot-change";
import { RecentChange } from "@/components/recent-change";
import { StaleGuard } from "@/components/stale-guard";
import { clinicTextLang } from "@/lib/appointments/clinic-texts";
import { clinicOffersVideo, myAppointment } from "@/lib/appointments/dal";
import { CANCEL_REASONS } from "@/lib/appointments/service";
import { formatVisit, ltrIsolate } from "@/lib/format";

export async function generateMetadata() {
  const t = await getTranslations("cancel");
  return { title: t("title") };
}

export default async function CancelPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { appointment: a, locale, now } = await myAppointment(id, `/besok/${id}/avboka`);
  const t = await getTranslations("cancel");
  const when = formatVisit(a.startsAt, locale, a.clinic.timeZone, now);
  const video = !a.type.isVideo && (await clinicOffersVideo(a.clinic.id));
  if (!a.cancel.allowed) return <CannotChange appointment={a} reason={a.cancel.reason} errorNamespace="cancel" />;
  return (
    <section className="hero narrow" aria-labelledby="cancel-title">
      <h1 id="cancel-title">{t("title")}</h1>
      <StaleGuard renderId={crypto.randomUUID()} />
      <RecentChange appointment={a} locale={locale} now={now} />
      <p className="card">
        <strong lang={a.textLang === locale ? undefined : a.textLang}>{a.type.name}</strong>
        <br />
        {when}
        <br />
        {a.clinic.name}
      </p>
      <p>{t("whatHappens")}</p>
      <CancelForm
        appointmentId={a.id}
        version={a.version}
        text={{
          reasonLegend: t("reasonLegend"),
          reasons: Object.fromEntries(CANCEL_REASONS.map((r) => [r, t(`reasons.${r}`)])),
          confirm: t("confirm"),
          keep: t("keep"),
          helpTransportTitle: t("helpTransportTitle"),
          transportInfo: a.clinic.texts.transportInfo?.text ?? "",
          transportInfoLang: a.clinic.texts.transportInfo
            ? clinicTextLang(a.clinic.texts.transportInfo, locale)
            : undefined,
          helpInterpreter: t("helpInterpreter"),
          helpVideoTitle: t("helpVideoTitle"),
          helpVideo: video
            ? t("helpVideoAvailable", { phone: ltrIsolate(a.clinic.phone, locale) })
            : t("helpVideoNone"),
          errors: Object.fromEntries(
            [
              "not_found",
              "past_cutoff",
              "not_allowed",
              "not_booked",
              "past",
              "unauthorized",
              "invalid",
              "unexpected",
            ].map((k) => [k, t(`errors.${k}`)]),
          ),
        }}
      />
    </section>
  );
}
