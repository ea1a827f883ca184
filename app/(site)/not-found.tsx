import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function NotFound() {
  const t = await getTranslations("states");
  return (
    <section className="state" aria-labelledby="nf-title">
      <h1 id="nf-title">{t("notFoundTitle")}</h1>
      <p>{t("notFoundText")}</p>
      <Link href="/" className="button">
        {t("home")}
      </Link>
    </section>
  );
}
