// The Kubernetes manifests as Welkin would admit them: the welkin overlays render with the
// machine's `kubectl kustomize` (offline), every object validates against the Kubernetes schemas
// (kubernetes-models 4.x), and every Pod meets the safeguards Welkin enforces.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { readImageSpec } from "../test/image";

const root = path.resolve(import.meta.dirname, "..", "..");
const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
if (process.env.CI && !hasKubectl) throw new Error("CI must have kubectl: the manifest tests did not run");

// Rendered YAML, checked field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
type Obj = Loose & { apiVersion: string; kind: string; metadata: Loose & { name: string; namespace?: string } };

function render(overlay: string): Obj[] {
  const out = spawnSync("kubectl", ["kustomize", path.join(root, "deploy/kubernetes/overlays", overlay)], {
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed:\n${out.stderr}`);
  return parseAllDocuments(out.stdout).map((d) => d.toJSON() as Obj);
}

/** kubernetes-models class for an object ("apps/v1" Deployment → kubernetes-models/apps/v1). */
async function validate(obj: Obj): Promise<void> {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion : "v1";
  const mod = (await import(/* @vite-ignore */ `kubernetes-models/${group}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = mod[obj.kind];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

const REGISTRY = "harbor.example.welkin.se/";
const podTemplates = (objs: Obj[]) =>
  objs
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(o.kind))
    .map((o) => ({
      owner: `${o.kind}/${o.metadata.name}`,
      template: o.kind === "CronJob" ? o.spec.jobTemplate.spec.template : o.spec.template,
    }));

function envVarsOf(container: Obj["spec"], configMap: Obj): Set<string> {
  const names = new Set<string>((container.env ?? []).map((e: { name: string }) => e.name));
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef?.name === configMap.metadata.name) for (const k of Object.keys(configMap.data)) names.add(k);
  }
  return names;
}

const matches = (selector: { matchLabels?: Record<string, string> }, labels: Record<string, string>) =>
  Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

describe.skipIf(!hasKubectl)("Kubernetes manifests (welkin overlay)", () => {
  const objs = hasKubectl ? render("welkin") : [];
  const get = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;

  it("render and every object validates against the Kubernetes schemas", async () => {
    expect(objs.length).toBeGreaterThan(10);
    for (const obj of objs) await validate(obj);
    // An invalid object is caught (the validation is not a no-op).
    const broken = structuredClone(get("Deployment", "vardtid-app"));
    broken.spec.replicas = "two";
    await expect(validate(broken)).rejects.toThrow(/replicas/);
  });

  it("every container: requests, limits, non-root numeric user, no escalation, all capabilities dropped, seccomp, read-only root, pinned image from Harbor", () => {
    const templates = podTemplates(objs);
    expect(templates.map((t) => t.owner).sort()).toEqual(["Deployment/vardtid-app", "Deployment/vardtid-worker"]);
    for (const { owner, template } of templates) {
      const pod = template.spec;
      expect(pod.hostNetwork ?? false, owner).toBe(false);
      expect(pod.hostPID ?? false, owner).toBe(false);
      expect(pod.automountServiceAccountToken, owner).toBe(false);
      for (const v of pod.volumes ?? []) {
        expect(
          Object.keys(v).filter((k) => k !== "name"),
          `${owner} volume ${v.name}`,
        ).toSatisfy((keys: string[]) =>
          keys.every((k) => ["emptyDir", "secret", "configMap", "projected", "persistentVolumeClaim"].includes(k)),
        );
      }
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const where = `${owner} container ${c.name}`;
        const sc = { ...pod.securityContext, ...c.securityContext };
        expect(c.resources?.requests?.cpu, where).toBeDefined();
        expect(c.resources?.requests?.memory, where).toBeDefined();
        expect(c.resources?.limits?.memory, where).toBeDefined();
        expect(sc.runAsNonRoot, where).toBe(true);
        expect(Number.isInteger(sc.runAsUser) && sc.runAsUser > 0, where).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(c.securityContext?.capabilities?.drop, where).toContain("ALL");
        expect(c.securityContext?.capabilities?.add ?? [], where).toEqual([]);
        expect(c.securityContext?.privileged ?? false, where).toBe(false);
        expect(sc.seccompProfile?.type, where).toBe("RuntimeDefault");
        expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect(c.image.startsWith(REGISTRY), `${where}: ${c.image}`).toBe(true);
        expect(c.image, where).toMatch(/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/);
        expect(c.image, where).not.toMatch(/:latest$/);
        // The image's user (Dockerfile) is the one Kubernetes runs.
        expect(sc.runAsUser, where).toBe(readImageSpec().uid);
      }
    }
  });

  it("the namespace enforces the Restricted Pod Security Standard", () => {
    const ns = objs.find((o) => o.kind === "Namespace")!;
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    for (const o of objs.filter((o) => o.kind !== "Namespace")) expect(o.metadata.namespace).toBe(ns.metadata.name);
  });

  it("the app: ≥ 2 replicas, probes on /api/health, PDB, HPA, Service and Ingress with TLS from cert-manager", () => {
    const app = get("Deployment", "vardtid-app");
    const labels = app.spec.template.metadata.labels;
    const c = app.spec.template.spec.containers[0];
    expect(app.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(c.command).toEqual(readImageSpec().cmd);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      expect(c[probe]?.httpGet?.path, probe).toMatch(/^\/api\/health/);
    }
    expect(c.readinessProbe.httpGet.path).toBe("/api/health");
    expect(c.lifecycle?.preStop).toBeDefined();
    const pdb = objs.find((o) => o.kind === "PodDisruptionBudget" && matches(o.spec.selector, labels));
    expect(pdb?.spec.minAvailable).toBeGreaterThanOrEqual(1);
    const hpa = objs.find((o) => o.kind === "HorizontalPodAutoscaler")!;
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "vardtid-app" });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const svc = get("Service", "vardtid-app");
    expect(matches({ matchLabels: svc.spec.selector }, labels)).toBe(true);
    const ing = objs.find((o) => o.kind === "Ingress")!;
    expect(ing.metadata.annotations["cert-manager.io/cluster-issuer"]).toBeTruthy();
    expect(ing.spec.tls[0].hosts).toEqual([ing.spec.rules[0].host]);
    expect(ing.spec.rules[0].http.paths[0].backend.service.name).toBe("vardtid-app");
    const config = get("ConfigMap", "vardtid-config");
    expect(config.data.PUBLIC_BASE_URL).toBe(`https://${ing.spec.rules[0].host}`);
    // The ingress controller is the one proxy that appends to X-Forwarded-For.
    expect(config.data.TRUSTED_PROXY_COUNT).toBe("1");
  });

  it("migrations run before a new version serves: an init container of app and worker, the image's migration command", () => {
    for (const name of ["vardtid-app", "vardtid-worker"]) {
      const init = get("Deployment", name).spec.template.spec.initContainers;
      expect(init?.[0]?.command, name).toEqual(["node", "dist/migrate.mjs"]);
      const url = init[0].env.find((e: { name: string }) => e.name === "DATABASE_URL");
      expect(url.valueFrom.secretKeyRef.key, "migrations connect directly, not through PgBouncer").toBe(
        "DATABASE_URL_DIRECT",
      );
    }
    expect(get("Deployment", "vardtid-worker").spec.template.spec.containers[0].command).toEqual([
      "node",
      "dist/worker.mjs",
    ]);
    const assemble = readFileSync(path.join(root, "scripts/assemble-standalone.ts"), "utf8");
    for (const entry of ["server", "worker", "migrate"]) expect(assemble).toContain(`${entry}: "`);
  });

  it("every variable of .env.example reaches the app and the worker, secrets from a Secret", () => {
    const variables = readFileSync(path.join(root, ".env.example"), "utf8")
      .split("\n")
      .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
      .filter((v): v is string => Boolean(v));
    expect(variables.length).toBeGreaterThan(30);
    const config = get("ConfigMap", "vardtid-config");
    const secretish = /SECRET|PASSWORD|PASSPHRASE|_KEY$|TOKEN|USERNAME|DATABASE_URL/;
    for (const name of ["vardtid-app", "vardtid-worker"]) {
      const c = get("Deployment", name).spec.template.spec.containers[0];
      const have = envVarsOf(c, config);
      for (const v of variables) expect(have.has(v), `${name} lacks ${v}`).toBe(true);
      for (const e of c.env) {
        if (secretish.test(e.name) && e.name !== "VAPID_PUBLIC_KEY")
          expect(e.valueFrom?.secretKeyRef, e.name).toBeDefined();
      }
      for (const key of Object.keys(config.data)) {
        if (key !== "VAPID_PUBLIC_KEY") expect(secretish.test(key), `${key} must not sit in a ConfigMap`).toBe(false);
      }
    }
  });

  it("NetworkPolicies: default deny, every Pod selected, ingress only from the ingress controller (and Prometheus), egress only where needed", () => {
    const policies = objs.filter((o) => o.kind === "NetworkPolicy");
    const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 || !p.spec.podSelector.matchLabels)!;
    expect(deny.spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
    expect(deny.spec.ingress ?? []).toEqual([]);
    expect(deny.spec.egress ?? []).toEqual([]);
    for (const { owner, template } of podTemplates(objs)) {
      const labels = template.metadata.labels;
      const mine = policies.filter((p) => p !== deny && matches(p.spec.podSelector, labels));
      expect(mine.length, owner).toBeGreaterThan(0);
      const egress = mine.flatMap((p) => p.spec.egress ?? []);
      // Nothing may reach "anywhere": every egress rule names peers and ports.
      for (const rule of egress) {
        expect(rule.to?.length, owner).toBeGreaterThan(0);
        expect(rule.ports?.length, owner).toBeGreaterThan(0);
        for (const peer of rule.to) expect(peer.ipBlock?.cidr, owner).not.toBe("0.0.0.0/0");
      }
      const ports = new Set(egress.flatMap((r) => r.ports.map((p: { port: number }) => p.port)));
      expect(
        [...ports].sort((a, b) => a - b),
        owner,
      ).toEqual([53, 443, 5432]);
      const ingress = mine.flatMap((p) => p.spec.ingress ?? []);
      for (const rule of ingress) {
        for (const peer of rule.from) {
          expect(["ingress-nginx", "monitoring"]).toContain(
            peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"],
          );
        }
      }
      if (owner.endsWith("vardtid-worker")) expect(ingress, "nothing calls the worker").toEqual([]);
      else expect(ingress.length, owner).toBeGreaterThan(0);
    }
  });

  it("the CloudNativePG variant adds a 3-instance Cluster with backups to object storage and lets only Vårdtid in", async () => {
    const withCnpg = render("welkin-cloudnative-pg");
    for (const obj of withCnpg.filter((o) => !o.apiVersion.startsWith("postgresql.cnpg.io/"))) await validate(obj);
    const cluster = withCnpg.find((o) => o.kind === "Cluster")!;
    expect(cluster.apiVersion).toBe("postgresql.cnpg.io/v1");
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.imageName.startsWith(REGISTRY)).toBe(true);
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    expect(cluster.spec.backup.barmanObjectStore.endpointURL).toMatch(/^https:\/\//);
    expect(cluster.spec.backup.retentionPolicy).toMatch(/^\d+[dwm]$/);
    expect(withCnpg.find((o) => o.kind === "ScheduledBackup")?.spec.cluster.name).toBe(cluster.metadata.name);
    const dbPolicy = withCnpg.find(
      (o) =>
        o.kind === "NetworkPolicy" && o.spec.podSelector.matchLabels?.["cnpg.io/cluster"] === cluster.metadata.name,
    );
    expect(dbPolicy?.spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
    expect(withCnpg.find((o) => o.kind === "ConfigMap")!.data.DATABASE_PGBOUNCER).toBe("off");
  });
});
