"use client";

import { useTranslations } from "next-intl";

// Never shows the error itself: no stack trace or internal message reaches a patient.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("states");
  return (
    <section className="state" role="alert" aria-labelledby="err-title">
      <h1 id="err-title">{t("errorTitle")}</h1>
      <p>{t("errorText")}</p>
      <button type="button" className="button" onClick={() => reset()}>
        {t("retry")}
      </button>
    </section>
  );
}
