import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { Locale } from "@/i18n/locales";

/**
 * On every page, logged in or not: what Vårdtid stores, and the statement the law requires. In a
 * shell (`locale` given) the links lead to the other root layout: no prefetch.
 */
export async function SiteFooter({ locale }: { locale?: Locale }) {
  const t = locale ? await getTranslations({ locale, namespace: "app" }) : await getTranslations("app");
  return (
    <footer className="site-footer">
      <div className="site-footer__inner">
        <p>{t("footer")}</p>
        <nav aria-label={t("footerNav")}>
          <ul className="site-footer__links">
            <li>
              <Link href="/integritet" prefetch={locale ? false : undefined}>
                {t("footerPrivacy")}
              </Link>
            </li>
            <li>
              <Link href="/tillganglighet" prefetch={locale ? false : undefined}>
                {t("footerAccessibility")}
              </Link>
            </li>
          </ul>
        </nav>
      </div>
    </footer>
  );
}
