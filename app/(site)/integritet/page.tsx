// What Vårdtid stores about a patient, short and in the patient's language (the caregiver's full
// record of processing is docs/privacy.md). Public: linked from the footer of every page.
import Link from "next/link";
import { getTranslations } from "next-intl/server";

export async function generateMetadata() {
  const t = await getTranslations("privacy");
  return { title: t("title") };
}

export default async function PrivacyPage() {
  const t = await getTranslations("privacy");
  const ta = await getTranslations("app");
  const stores = ["identity", "phone", "visits", "messages", "log"] as const;
  return (
    <article className="hero narrow" aria-labelledby="privacy-title">
      <h1 id="privacy-title">{t("title")}</h1>
      <p>{t("intro")}</p>
      <h2>{t("storesTitle")}</h2>
      <ul>
        {stores.map((k) => (
          <li key={k}>{t(`stores.${k}`)}</li>
        ))}
      </ul>
      <h2>{t("notTitle")}</h2>
      <p>{t("not")}</p>
      <h2>{t("rightsTitle")}</h2>
      <p>{t("rights")}</p>
      <p>
        <Link href="/tillganglighet">{ta("footerAccessibility")}</Link>
      </p>
    </article>
  );
}
