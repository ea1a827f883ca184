"use client";
// "Ta den nya tiden" / "Nej tack" with JavaScript. The buttons are the page's own form, rendered on
// the server with its server action, so a browser without JavaScript posts it and is redirected to
// the page showing the outcome. (A server action handed to a client component's form does not
// survive that: its no-JavaScript post was refused as an invalid action request.)
//
// With JavaScript this listens to that form's submit before React does and sends the answer to
// POST /api/offer-answer instead (our server, JSON: no page render per answer when many patients
// race for the slot; React leaves a submit alone once it is prevented), then shows the same
// outcome pages as the action would redirect to.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { postOfferAnswer } from "@/lib/waitlist/offer-answer-request";

export function OfferAnswerEnhancer({
  formId,
  appointmentId,
  offerId,
  text,
}: {
  /** The id of the server-rendered form with the accept and decline buttons. */
  formId: string;
  appointmentId: string;
  offerId: string;
  text: { answering: string; network: string };
}) {
  const router = useRouter();
  const [status, setStatus] = useState<"idle" | "pending" | "network">("idle");
  const pending = useRef(false);

  useEffect(() => {
    const form = document.getElementById(formId);
    if (!(form instanceof HTMLFormElement)) return;
    const buttons = () => [...form.querySelectorAll("button")];
    const onSubmit = async (event: SubmitEvent) => {
      event.preventDefault();
      if (pending.current) return;
      const answer = (event.submitter as HTMLButtonElement | null)?.value === "decline" ? "decline" : "accept";
      pending.current = true;
      setStatus("pending");
      for (const b of buttons()) b.disabled = true;
      const result = await postOfferAnswer({ offerId, answer });
      const visit = `/besok/${encodeURIComponent(appointmentId)}`;
      const offerPage = `${visit}/erbjudande/${encodeURIComponent(offerId)}`;
      if (result.status === "error" && result.error === "network") {
        pending.current = false;
        setStatus("network");
        for (const b of buttons()) b.disabled = false;
        return;
      }
      if (result.status === "error" && result.error === "unauthorized") {
        router.replace(`/login?returnTo=${encodeURIComponent(offerPage)}${result.sessionEnded ? "&avslutad=1" : ""}`);
        return;
      }
      // Mina tider asks for its data again whenever it is shown (staleTime 0). The same pages the
      // server action redirects to; `refresh` drops the router's copies of pages shown before (as
      // the action's revalidation did), so going back shows them as they are now.
      if (result.status === "ok") router.push(answer === "accept" ? `${visit}?flyttad=1` : offerPage);
      else router.push(`${offerPage}?fel=${encodeURIComponent(result.error)}`);
      router.refresh();
    };
    const listener = (event: Event) => void onSubmit(event as SubmitEvent);
    form.addEventListener("submit", listener);
    return () => form.removeEventListener("submit", listener);
  }, [formId, appointmentId, offerId, router]);

  return (
    <p role="status" aria-live="polite" className={status === "network" ? "notice notice--error" : "visually-hidden"}>
      {status === "network" ? text.network : status === "pending" ? text.answering : ""}
    </p>
  );
}
