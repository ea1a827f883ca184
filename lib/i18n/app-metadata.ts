import type { Metadata, Viewport } from "next";
import { getTranslations } from "next-intl/server";
import type { Locale } from "@/i18n/locales";

/** The document metadata of every page: the root layout's, and each prerendered shell's in its language. */
export async function appMetadata(locale?: Locale): Promise<Metadata> {
  const t = locale ? await getTranslations({ locale, namespace: "app" }) : await getTranslations("app");
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

export const appViewport: Viewport = {
  themeColor: "#0b5d6b",
  width: "device-width",
  initialScale: 1,
};
