"use client";

import { useTranslations } from "next-intl";

export default function AppointmentsError({ reset }: { error: Error; reset: () => void }) {
  const t = useTranslations("states");
  return (
    <section className="state" role="alert">
      <h1>{t("errorTitle")}</h1>
      <p>{t("errorText")}</p>
      <button type="button" className="button" onClick={() => reset()}>
        {t("retry")}
      </button>
    </section>
  );
}
