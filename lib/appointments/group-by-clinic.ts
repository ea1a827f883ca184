// Rebooking lists a week's free times grouped by clinic: the patient's own clinic first, then
// sister clinics by name, so a time at another clinic is never mixed in among the patient's own.

export interface ClinicSlot {
  clinicId: string;
  clinicName: string;
  clinicAddress: string;
  sameClinic: boolean;
}

export interface ClinicGroup<S extends ClinicSlot> {
  clinicId: string;
  name: string;
  address: string;
  own: boolean;
  slots: S[];
}

/** Keeps each clinic's slots in the order given (earliest first). */
export function groupByClinic<S extends ClinicSlot>(slots: readonly S[]): ClinicGroup<S>[] {
  const groups = new Map<string, ClinicGroup<S>>();
  for (const s of slots) {
    const group = groups.get(s.clinicId) ?? {
      clinicId: s.clinicId,
      name: s.clinicName,
      address: s.clinicAddress,
      own: s.sameClinic,
      slots: [],
    };
    group.slots.push(s);
    groups.set(s.clinicId, group);
  }
  return [...groups.values()].sort((a, b) => (a.own === b.own ? a.name.localeCompare(b.name, "sv") : a.own ? -1 : 1));
}
