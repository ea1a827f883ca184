import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages, getTranslations } from "next-intl/server";
import { ServiceWorker } from "@/components/service-worker";
import { FocusHeading } from "@/components/focus-heading";
import { isLocale, localeDir } from "@/i18n/locales";
import { SiteHeader } from "@/components/site-header";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("app");
  return {
    title: { default: t("name"), template: `%s – ${t("name")}` },
    description: t("tagline"),
    applicationName: t("name"),
    manifest: "/manifest.webmanifest",
    icons: {
      icon: [{ url: "/icons/icon-192.png", sizes: "192x192", type: "image/png" }],
      apple: [{ url: "/icons/apple-touch-icon.png", sizes: "180x180" }],
    },
    appleWebApp: { capable: true, title: t("name"), statusBarStyle: "default" },
    formatDetection: { telephone: false },
    robots: { index: true, follow: true },
  };
}

export const viewport: Viewport = {
  themeColor: "#0b5d6b",
  width: "device-width",
  initialScale: 1,
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale();
  const dir = isLocale(locale) ? localeDir(locale) : "ltr";
  const t = await getTranslations("app");
  const messages = await getMessages();
  const tp = await getTranslations("pwa");
  return (
    <html lang={locale} dir={dir}>
      <body>
        <a href="#main" className="skip-link">
          {t("skipToContent")}
        </a>
        <SiteHeader />
        <FocusHeading />
        <main id="main" tabIndex={-1}>
          {/* Client components get only the namespaces they use, not the whole catalogue. */}
          <NextIntlClientProvider messages={{ states: messages.states }}>{children}</NextIntlClientProvider>
        </main>
        <ServiceWorker updateText={tp("updateAvailable")} reloadText={tp("reload")} />
        <footer className="site-footer">
          <div className="site-footer__inner">
            <p>{t("footer")}</p>
            {/* On every page, logged in or not: what Vårdtid stores, and the statement the law requires. */}
            <nav aria-label={t("footerNav")}>
              <ul className="site-footer__links">
                <li>
                  <Link href="/integritet">{t("footerPrivacy")}</Link>
                </li>
                <li>
                  <Link href="/tillganglighet">{t("footerAccessibility")}</Link>
                </li>
              </ul>
            </nav>
          </div>
        </footer>
      </body>
    </html>
  );
}
