import type { Metadata, Viewport } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages, getTranslations } from "next-intl/server";
import { ServiceWorker } from "@/components/service-worker";
import { FocusHeading } from "@/components/focus-heading";
import { isLocale, localeDir } from "@/i18n/locales";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { appMetadata, appViewport } from "@/lib/i18n/app-metadata";
import "../globals.css";

export const generateMetadata = (): Promise<Metadata> => appMetadata();
export const viewport: Viewport = appViewport;

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
        <SiteFooter />
      </body>
    </html>
  );
}
