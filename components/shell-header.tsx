import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { Locale } from "@/i18n/locales";
import { LanguageChooser } from "./language-chooser";

/**
 * The logged-in header of a prerendered shell (components/site-header.tsx for pages rendered per
 * request): the same markup, built once per language, without patient data. Who is logged in, and
 * whom a guardian acts for, come with the page's data and are shown in the page, under its heading
 * (components/who-bar.tsx): in the header they would push the page down when the data arrives.
 */
export async function ShellHeader({ locale, path }: { locale: Locale; path: string }) {
  const t = await getTranslations({ locale, namespace: "app" });
  const ta = await getTranslations({ locale, namespace: "appointments" });
  const tn = await getTranslations({ locale, namespace: "notifications.nav" });
  const tl = await getTranslations({ locale, namespace: "settingsLinks" });
  return (
    <header className="site-header">
      <div className="site-header__inner">
        {/* Links leave the shell for pages with the other root layout: full loads, nothing to prefetch. */}
        <Link href="/besok" className="brand" prefetch={false}>
          {/* eslint-disable-next-line @next/next/no-img-element -- a tiny static icon, no optimisation needed */}
          <img src="/icons/icon-64.png" alt="" width={32} height={32} />
          <span>{t("name")}</span>
        </Link>
        <div className="header-actions">
          <LanguageChooser shell={{ locale, returnTo: path }} />
          <form action="/api/logout" method="post">
            <button type="submit" className="link-button">
              {ta("logout")}
            </button>
          </form>
        </div>
      </div>
      <nav className="site-nav" aria-label={t("mainNav")}>
        <div className="site-nav__inner">
          <Link href="/besok" prefetch={false}>
            {ta("title")}
          </Link>
          <Link href="/installningar" prefetch={false}>
            {tn("settings")}
          </Link>
          <Link href="/installningar/atkomst" prefetch={false}>
            {tl("navAccess")}
          </Link>
        </div>
      </nav>
    </header>
  );
}
