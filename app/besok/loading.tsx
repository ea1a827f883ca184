import { getTranslations } from "next-intl/server";

export default async function Loading() {
  const t = await getTranslations("appointments");
  return (
    <div className="state" role="status" aria-live="polite">
      <div className="spinner" aria-hidden="true" />
      <p>{t("loading")}</p>
    </div>
  );
}
