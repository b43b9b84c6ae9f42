/**
 * Offline check of the Kubernetes manifests (deploy/k8s/*.yaml): every
 * document is validated against the Kubernetes OpenAPI schema of its
 * apiVersion/kind as packaged by the npm package `kubernetes-models`
 * (JSON schemas compiled in; no cluster, no network). Unknown kinds fail.
 *
 *   deno run --allow-read --allow-env --allow-sys .ci/lint_k8s.ts deploy/k8s/*.yaml
 *
 * @module
 */
import { parseAllDocuments } from "yaml";

// deno-lint-ignore no-explicit-any
const KINDS: Record<string, () => Promise<{ new (data: any): { validate(): void } }>> = {
  "batch/v1/Job": async () => (await import("kubernetes-models/batch/v1/Job")).Job,
  "batch/v1/CronJob": async () => (await import("kubernetes-models/batch/v1/CronJob")).CronJob,
  "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
  "v1/ServiceAccount": async () =>
    (await import("kubernetes-models/v1/ServiceAccount")).ServiceAccount,
  "v1/Secret": async () => (await import("kubernetes-models/v1/Secret")).Secret,
};

let failed = 0, checked = 0;
for (const file of Deno.args) {
  const docs = parseAllDocuments(await Deno.readTextFile(file));
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) {
      console.error(`${file} (document ${i + 1}): YAML: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const value = doc.toJS() as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string };
    };
    if (value === null) continue;
    const key = `${value.apiVersion}/${value.kind}`;
    const load = KINDS[key];
    if (!load) {
      console.error(`${file} (document ${i + 1}): no schema here for ${key}`);
      failed++;
      continue;
    }
    try {
      new (await load())(value).validate();
      checked++;
    } catch (err) {
      console.error(`${file}: ${key} '${value.metadata?.name}': ${(err as Error).message}`);
      failed++;
    }
  }
}
if (failed > 0) {
  console.error(`lint-k8s: ${failed} problem(s)`);
  Deno.exit(1);
}
console.log(
  `lint-k8s: ${checked} manifests valid against the Kubernetes schemas (kubernetes-models)`,
);
