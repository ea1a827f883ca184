// An address that matches no page. With two root layouts (app/(site), app/(shell)) there is no
// layout around it, so it is a whole document: the same frame and words as app/(site)/not-found.tsx.
import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { SiteFooter } from "@/components/site-footer";
import { isLocale, localeDir } from "@/i18n/locales";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("states");
  const ta = await getTranslations("app");
  return { title: `${t("notFoundTitle")} – ${ta("name")}` };
}

export default async function GlobalNotFound() {
  const raw = await getLocale();
  const locale = isLocale(raw) ? raw : "sv";
  const t = await getTranslations("states");
  const ta = await getTranslations("app");
  return (
    <html lang={locale} dir={localeDir(locale)}>
      <body>
        <a href="#main" className="skip-link">
          {ta("skipToContent")}
        </a>
        <header className="site-header">
          <div className="site-header__inner">
            <Link href="/" className="brand">
              {/* eslint-disable-next-line @next/next/no-img-element -- a tiny static icon, no optimisation needed */}
              <img src="/icons/icon-64.png" alt="" width={32} height={32} />
              <span>{ta("name")}</span>
            </Link>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <section className="state" aria-labelledby="nf-title">
            <h1 id="nf-title">{t("notFoundTitle")}</h1>
            <p>{t("notFoundText")}</p>
            <Link href="/" className="button">
              {t("home")}
            </Link>
          </section>
        </main>
        <SiteFooter />
      </body>
    </html>
  );
}
