"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

// Pages whose data a patient changes (a visit, its cancel/rebook/earlier-time pages, settings)
// must never show a state that is gone: after "back" the browser may restore the page from its
// back/forward cache, and the app router restores the server's earlier answer from its own
// cache; a second tab keeps what it showed. Each server render gets a new `renderId`; a page
// that appears again with an id this tab has already shown came from a cache, and is fetched
// anew (router.refresh keeps what the patient is typing). So is a page restored from the
// back/forward cache, and one whose tab becomes visible again. The server actions check the
// visit's version as well, so an old page can never change anything (lib/appointments/actions.ts).
const shown = new Set<string>();

export function StaleGuard({ renderId }: { renderId: string }) {
  const router = useRouter();
  useEffect(() => {
    if (shown.has(renderId)) router.refresh();
    else shown.add(renderId);
  }, [renderId, router]);
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) router.refresh();
    };
    const onVisible = () => {
      if (document.visibilityState === "visible") router.refresh();
    };
    window.addEventListener("pageshow", onPageShow);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.removeEventListener("pageshow", onPageShow);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [router]);
  return null;
}
