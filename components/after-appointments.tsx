"use client";

import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { appointmentListQuery } from "@/lib/appointments/queries";

/**
 * Shows its content only once the visits have come (or failed): something shown below the list
 * before it (the install hint, which the browser may offer at any moment) would be pushed down
 * when the list arrives, a layout shift. Hidden rather than absent meanwhile, so the hint is
 * already listening when the browser makes its offer.
 */
export function AfterAppointments({ children }: { children: ReactNode }) {
  const { isPending } = useQuery(appointmentListQuery);
  return <div hidden={isPending}>{children}</div>;
}
