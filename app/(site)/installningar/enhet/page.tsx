import { getTranslations } from "next-intl/server";
import { OfflineToggle } from "@/components/offline-copy";
import { PushToggle } from "@/components/push-toggle";
import { env } from "@/lib/env";
import { vapidKeysFor } from "@/lib/push/vapid";
import { requirePatient } from "@/lib/auth/current-patient";

export async function generateMetadata() {
  const t = await getTranslations("device");
  return { title: t("title") };
}

export default async function DevicePage() {
  await requirePatient("/installningar/enhet");
  const t = await getTranslations("device");
  const vapid = vapidKeysFor(env());
  return (
    <section aria-labelledby="device-title">
      <h1 id="device-title">{t("title")}</h1>
      <PushToggle
        publicKey={vapid?.publicKey ?? null}
        text={{
          title: t("pushTitle"),
          text: t("pushText"),
          on: t("pushOn"),
          enabled: t("pushEnabled"),
          disabled: t("pushDisabled"),
          denied: t("pushDenied"),
          unsupported: t("pushUnsupported"),
          failed: t("pushFailed"),
        }}
      />
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
