// The resource types the API serves. The router, the Bundle processor and the CapabilityStatement
// all read this list, so a type is either fully served and declared, or neither.
import { appointmentModule } from "./resources/appointment";
import { healthcareServiceModule } from "./resources/healthcare-service";
import { organizationModule } from "./resources/organization";
import { patientModule } from "./resources/patient";
import { practitionerRoleModule } from "./resources/practitioner-role";
import { relatedPersonModule } from "./resources/related-person";
import { scheduleModule } from "./resources/schedule";
import { slotModule } from "./resources/slot";
import type { ResourceModule } from "./resources/types";

export const RESOURCE_MODULES: readonly ResourceModule[] = [
  organizationModule,
  healthcareServiceModule,
  practitionerRoleModule,
  scheduleModule,
  slotModule,
  patientModule,
  appointmentModule,
  relatedPersonModule,
];

export function moduleFor(type: string): ResourceModule | undefined {
  return RESOURCE_MODULES.find((m) => m.type === type);
}
