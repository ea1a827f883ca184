import { getTranslations } from "next-intl/server";
import { OfflineToggle } from "@/components/offline-copy";
import { requirePatient } from "@/lib/auth/current-patient";

export async function generateMetadata() {
  const t = await getTranslations("device");
  return { title: t("title") };
}

export default async function DevicePage() {
  await requirePatient("/installningar/enhet");
  const t = await getTranslations("device");
  return (
    <section aria-labelledby="device-title">
      <h1 id="device-title">{t("title")}</h1>
      <OfflineToggle
        text={{
          title: t("offlineTitle"),
          text: t("offlineText"),
          on: t("offlineOn"),
          saved: t.raw("offlineSaved") as string,
          cleared: t("offlineCleared"),
          unsupported: t("offlineUnsupported"),
        }}
      />
    </section>
  );
}
