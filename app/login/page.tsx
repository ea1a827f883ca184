import Link from "next/link";
import { getTranslations } from "next-intl/server";

export async function generateMetadata() {
  const t = await getTranslations("login");
  return { title: t("title") };
}

export default async function LoginPage() {
  const t = await getTranslations("login");
  return (
    <section className="hero" aria-labelledby="login-title">
      <h1 id="login-title">{t("title")}</h1>
      <p className="notice" role="status">{t("comingSoon")}</p>
      <Link href="/" className="button button--secondary">
        {t("back")}
      </Link>
    </section>
  );
}
