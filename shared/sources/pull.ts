import { z } from 'zod';
import { type PipelineConfig, type ResourceConfig, resourceHints } from '../config/pipelines.js';
import type { SecretResolver } from '../config/secret-values.js';
import type { ResourceInput } from '../pipeline/extract.js';
import { own, ownAt } from '../util/own.js';
import { compareCursors, type IncrementalState, incrementalStateSchema } from './incremental.js';
import { Authenticator } from './rest/auth.js';
import { readPath } from './rest/json-path.js';
import { barePathFields, parentFieldReferences } from './rest/placeholders.js';
import type { RestSourceConfig } from './rest/rest-config.js';
import { pullRestRecords } from './rest/rest-resource.js';
import { describePostgres, pullPostgresRecords } from './sql/postgres-source.js';

export interface PullPlan {
  resources: ResourceInput[];
  /** The pipeline's source state after the pull (cursors reached); read once the items are extracted. */
  sources(): Record<string, unknown>;
}

/** A pipeline's area of the pipeline state, as dlt lays it out (other keys are kept as they are). */
const sourceAreaSchema = z
  .object({
    resources: z
      .record(
        z.string(),
        z
          .object({
            incremental: z.record(z.string(), incrementalStateSchema).optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();
type SourceArea = z.infer<typeof sourceAreaSchema>;

/**
 * The pulled resources of a pipeline as item streams for extract. A child resource makes one
 * request per record of its parent, so the parent's records leave behind just the fields the
 * child needs. Cursors are kept where dlt keeps them:
 * `sources.<pipeline>.resources.<resource>.incremental.<cursor_path>`.
 */
export async function planPull(
  pipeline: PipelineConfig,
  sourcesState: Record<string, unknown>,
  secrets: SecretResolver,
): Promise<PullPlan> {
  const parsed = sourceAreaSchema.safeParse(own(sourcesState, pipeline.name) ?? {});
  if (!parsed.success) {
    throw new Error(
      `pipeline state of ${pipeline.name} has an unreadable source area: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  }
  const area: SourceArea = structuredClone(parsed.data);
  area.resources ??= {};
  const pulled = pipeline.resources.filter(
    (r): r is ResourceConfig & { source: RestSourceConfig } => r.source?.kind === 'rest_api',
  );
  const parentValues = new Map<string, Record<string, unknown>[]>();
  for (const resource of pulled) if (resource.source.parent) parentValues.set(resource.source.parent, []);
  const stateOf = (resource: string, cursorPath: string | undefined) => {
    if (cursorPath === undefined) return undefined;
    const incremental = own(area.resources ?? {}, resource)?.incremental;
    return (
      (incremental && own(incremental, cursorPath)) ??
      cursorElsewhere(sourcesState, pipeline.name, resource, cursorPath)
    );
  };
  const keep = (resource: string, cursorPath: string, state: IncrementalState) => {
    const resources = (area.resources ??= {});
    const entry = own(resources, resource) ?? (resources[resource] = {});
    (entry.incremental ??= {})[cursorPath] = state;
  };

  const resources: ResourceInput[] = [];
  for (const resource of pipeline.resources) {
    if (resource.source?.kind === 'rest_api')
      resources.push(restResource(resource as ResourceConfig & { source: RestSourceConfig }));
    if (resource.source?.kind === 'postgres') {
      const { source } = resource;
      const hints = resourceHints(resource);
      const shape = await describePostgres(source, secrets);
      const cursorColumn = source.incremental?.cursorColumn;
      const begin = stateOf(resource.name, cursorColumn);
      const primaryKey = hints.primaryKey ?? shape.primaryKey;
      resources.push({
        hints: {
          ...hints,
          // as a Parquet file's: they type new columns, an existing column keeps its type
          sourceColumns: shape.columns,
          ...(primaryKey && { primaryKey }),
        },
        items: pullPostgresRecords({
          source,
          secrets,
          ...(begin && { incremental: begin }),
          ...(primaryKey && { primaryKey }),
          columnOrder: shape.columns.map(([name]) => name),
          onIncremental: (state) => keep(resource.name, cursorColumn!, state),
        }),
      });
    }
  }
  return {
    resources,
    sources: () => (Object.keys(area.resources ?? {}).length === 0 ? {} : { [pipeline.name]: area }),
  };

  function restResource(resource: ResourceConfig & { source: RestSourceConfig }): ResourceInput {
    const { source } = resource;
    const hints = resourceHints(resource);
    const auth = new Authenticator(source.auth, secrets);
    const cursorPath = source.incremental?.cursorPath;
    const current = () => stateOf(resource.name, cursorPath);
    const children = pulled.filter((r) => r.source.parent === resource.name).map((r) => r.source);
    const wanted = [
      ...new Set(children.flatMap((child) => [...parentFields(child), ...child.includeFromParent])),
    ];
    const collected = parentValues.get(resource.name);

    async function* items(): AsyncIterable<unknown> {
      const parents = source.parent ? parentValues.get(source.parent)! : [{}];
      // each child request starts from the cursor the run began with; the furthest value is kept
      const begin = current();
      for (const values of parents) {
        const records = pullRestRecords({
          source,
          auth,
          parentValues: values,
          ...(begin && { incremental: begin }),
          ...(hints.primaryKey && { primaryKey: hints.primaryKey }),
          onIncremental: (reached) => {
            const kept = current();
            if (
              kept === undefined ||
              kept === begin ||
              compareCursors(reached.last_value, kept.last_value) > 0
            )
              keep(resource.name, cursorPath!, reached);
          },
        });
        for await (const record of records) {
          if (collected)
            collected.push(Object.fromEntries(wanted.map((field) => [field, readPath(record, field)])));
          yield source.parent ? { ...(record as object), ...fromParent(source, values) } : record;
        }
      }
    }
    return { hints, items: items() };
  }
}

/** The parent record's fields a child's request names: `{number}` in its path, `{resources.issues.number}` anywhere. */
function parentFields(child: RestSourceConfig): string[] {
  const references = parentFieldReferences([child.path, child.params, child.headers, child.json]);
  return [...barePathFields(child.path), ...references.map((reference) => reference.field)];
}

/** Parent fields in a child record, named as dlt's rest_api names them: `_<parent>_<field>`. */
function fromParent(source: RestSourceConfig, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    source.includeFromParent.map((field) => [`_${source.parent}_${field}`, own(values, field)]),
  );
}

/**
 * The cursor of a resource that dlt kept under its source's own section (`rest_api`,
 * `sql_database`, or the name the source was given) rather than the pipeline's: a pipeline moved
 * from dlt goes on from it, when exactly one section has it. Sluice keeps it under the pipeline's
 * section from then on.
 */
function cursorElsewhere(
  sourcesState: Record<string, unknown>,
  pipeline: string,
  resource: string,
  cursorPath: string,
): IncrementalState | undefined {
  const found: IncrementalState[] = [];
  for (const [section, area] of Object.entries(sourcesState)) {
    if (section === pipeline) continue;
    const parsed = incrementalStateSchema.safeParse(
      ownAt(area, 'resources', resource, 'incremental', cursorPath),
    );
    if (parsed.success) found.push(parsed.data);
  }
  return found.length === 1 ? found[0] : undefined;
}
