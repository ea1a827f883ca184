"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import type { AppointmentListItem, AppointmentStatus } from "@/lib/appointments/list-item";
import { appointmentListQuery, DataRequestError } from "@/lib/appointments/queries";

export interface AppointmentListText {
  upcoming: string;
  past: string;
  emptyUpcoming: string;
  emptyUpcomingHint: string;
  emptyPast: string;
  loading: string;
  errorTitle: string;
  errorText: string;
  retry: string;
  status: Record<AppointmentStatus, string>;
  /** Contains {date}. */
  receiptCancelled: string;
}

/**
 * "Mina tider": the patient's visits from GET /api/appointments, rendered in the browser. The
 * page around it is a shell without patient data; this is the only part that asks the server.
 */
export function AppointmentList({ text }: { text: AppointmentListText }) {
  const query = useQuery({ ...appointmentListQuery, refetchOnWindowFocus: true });
  const { refetch } = query;
  const router = useRouter();

  // A page restored from the back/forward cache keeps its JavaScript state: ask again, so a visit
  // changed meanwhile never shows as it was (the same rule as components/stale-guard.tsx).
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) void refetch();
    };
    window.addEventListener("pageshow", onPageShow);
    return () => window.removeEventListener("pageshow", onPageShow);
  }, [refetch]);

  const loggedOut = query.error instanceof DataRequestError && query.error.status === 401;
  const sessionEnded = query.error instanceof DataRequestError && query.error.sessionEnded;
  useEffect(() => {
    // No session (idle time, logout in another tab): log in again and come back here; the login
    // page says why when this browser had one.
    if (loggedOut) router.replace(`/login?returnTo=%2Fbesok${sessionEnded ? "&avslutad=1" : ""}`);
  }, [loggedOut, sessionEnded, router]);

  // No network at all (a shell opened by the service worker while offline): the designed offline
  // page, which shows the patient's opt-in copy, says more than an error would.
  const offline = query.isError && !(query.error instanceof DataRequestError) && !navigator.onLine;
  useEffect(() => {
    if (offline) window.location.replace("/offline.html");
  }, [offline]);

  if (query.isPending || loggedOut || offline) {
    return (
      <div className="state" role="status" aria-live="polite">
        <div className="spinner" aria-hidden="true" />
        <p>{text.loading}</p>
      </div>
    );
  }
  if (query.isError) {
    return (
      <section className="state" role="alert" aria-live="assertive">
        <h2>{text.errorTitle}</h2>
        <p>{text.errorText}</p>
        <button type="button" className="button" onClick={() => void refetch()} disabled={query.isFetching}>
          {text.retry}
        </button>
      </section>
    );
  }

  const { upcoming, past } = query.data;
  return (
    <>
      <section aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">{text.upcoming}</h2>
        {upcoming.length === 0 ? (
          <div className="card empty">
            <p>{text.emptyUpcoming}</p>
            <p className="muted">{text.emptyUpcomingHint}</p>
          </div>
        ) : (
          <ul className="cards">
            {upcoming.map((a) => (
              <AppointmentCard key={a.id} appointment={a} text={text} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="past-title">
        <h2 id="past-title">{text.past}</h2>
        {past.length === 0 ? (
          <p className="muted">{text.emptyPast}</p>
        ) : (
          <ul className="cards">
            {past.map((a) => (
              <AppointmentCard key={a.id} appointment={a} text={text} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

// Dumb: everything it shows comes in through props, already formatted by the server.
function AppointmentCard({ appointment: a, text }: { appointment: AppointmentListItem; text: AppointmentListText }) {
  // The clinic's own texts are Swedish or English; marked so a screen reader reads them right.
  const textLang = a.textLang ?? undefined;
  return (
    <li className={`card appointment appointment--${a.status}`}>
      <p className="appointment__when">
        <span className={`badge badge--${a.status}`}>{text.status[a.status]}</span>
        <time dateTime={a.startsAt}>{a.when}</time>
      </p>
      <h3 className="appointment__title">
        {/* No prefetch: the visit's page has the other root layout (a full load anyway), and a
            prefetch would render it, and audit a read, for every card. */}
        <Link href={`/besok/${a.id}`} prefetch={false}>
          <span lang={textLang}>{a.typeName}</span>
          <span className="visually-hidden">, {a.whenInline}</span>
        </Link>
      </h3>
      <p className="appointment__meta">
        {a.clinicName}
        {a.practitionerRole ? (
          <>
            {" · "}
            <span lang={textLang}>{a.practitionerRole}</span>
          </>
        ) : null}
      </p>
      <p className="appointment__address">{a.address}</p>
      {a.preparation ? (
        <p className="appointment__prep" lang={textLang}>
          {a.preparation}
        </p>
      ) : null}
      {a.cancelledLabel ? <p className="receipt">{text.receiptCancelled.replace("{date}", a.cancelledLabel)}</p> : null}
    </li>
  );
}
