/** Where everything of a pipeline lives in its FileStorage (DESIGN.md §3). */
export const STAGES = ['extracted', 'normalized', 'loaded', 'failed'] as const;
export type Stage = (typeof STAGES)[number];

export function packagePrefix(pipeline: string, loadId: string): string {
  return `${pipeline}/packages/${loadId}/`;
}

export const packageKeys = {
  manifest: (pkg: string) => `${pkg}manifest.json`,
  extracted: (pkg: string, resource: string, n: number) =>
    `${pkg}extracted/${resource.replace(/[^A-Za-z0-9_-]/g, '_')}.${n}.jsonl.gz`,
  normalizedPrefix: (pkg: string) => `${pkg}normalized/`,
  quarantine: (pkg: string, stage: 'extract' | 'normalize', n: number) =>
    `${pkg}quarantine/${stage}.${n}.jsonl`,
  schema: (pkg: string) => `${pkg}normalized/schema.json`,
  jobs: (pkg: string) => `${pkg}normalized/jobs.json`,
  stage: (pkg: string, stage: Stage) => `${pkg}_stage/${stage}`,
  /** Created only if absent when a load id is chosen, so two extracts never share a package. */
  reservation: (pkg: string) => `${pkg}_stage/reserved`,
};

export const pipelineKeys = {
  packages: (pipeline: string) => `${pipeline}/packages/`,
  schemas: (pipeline: string) => `${pipeline}/schemas/`,
  schema: (pipeline: string, schemaName: string) => `${pipeline}/schemas/${schemaName}.json`,
  state: (pipeline: string) => `${pipeline}/state.json`,
  /** Which package took a dropped object (one claim per bucket, key and ETag). */
  dropClaim: (pipeline: string, id: string) => `${pipeline}/drops/${id}.json`,
};
