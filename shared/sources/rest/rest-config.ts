import { z } from 'zod';
import { secretRefSchema } from '../../config/secret-values.js';
import { cursorValueMissingSchema, cursorValueSchema, endsAfterInitial } from '../incremental.js';
import { incrementalPlaceholders, parentFieldReferences } from './placeholders.js';

export const restAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), token: secretRefSchema }).strict(),
  z
    .object({
      type: z.literal('api_key'),
      name: z.string().min(1),
      location: z.enum(['header', 'query']).default('header'),
      apiKey: secretRefSchema,
    })
    .strict(),
  z
    .object({ type: z.literal('http_basic'), username: z.string().min(1), password: secretRefSchema })
    .strict(),
  z
    .object({
      type: z.literal('oauth2_client_credentials'),
      tokenUrl: z.url(),
      clientId: z.string().min(1),
      clientSecret: secretRefSchema,
      scope: z.string().optional(),
    })
    .strict(),
]);
export type RestAuth = z.infer<typeof restAuthSchema>;

/** How the next page is found (dlt's paginator names). */
export const paginatorSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('page_number'),
      pageParam: z.string().default('page'),
      basePage: z.number().int().default(1),
      /** Where the response says how many pages there are; paging also stops at an empty page. */
      totalPath: z.string().optional(),
      /** The last page asked for, counted as the API counts (dlt's maximum_page). */
      maximumPage: z.number().int().optional(),
      /** A POST endpoint's page goes at this dotted path of the JSON body, not in the query (dlt's page_body_path). */
      pageBodyPath: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('offset'),
      limit: z.number().int().positive(),
      offsetParam: z.string().default('offset'),
      limitParam: z.string().default('limit'),
      /** Where the response says how many records there are; without it, paging stops at a short page. */
      totalPath: z.string().optional(),
      /** No page is asked for at or past this offset (dlt's maximum_offset). */
      maximumOffset: z.number().int().positive().optional(),
      /** A POST endpoint's offset and limit go at these paths of the JSON body (dlt's *_body_path). */
      offsetBodyPath: z.string().min(1).optional(),
      limitBodyPath: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('cursor'),
      /** Where the response carries the next cursor; paging stops when it is missing or null. */
      cursorPath: z.string().min(1),
      /** The query parameter of the cursor, or (a POST endpoint's) its path in the JSON body. */
      cursorParam: z.string().min(1).optional(),
      cursorBodyPath: z.string().min(1).optional(),
    })
    .strict()
    .refine((c) => (c.cursorParam === undefined) !== (c.cursorBodyPath === undefined), {
      message: 'set cursorParam or cursorBodyPath, one of them',
    }),
  z.object({ type: z.literal('header_link') }).strict(),
  z.object({ type: z.literal('json_link'), nextUrlPath: z.string().min(1) }).strict(),
  z.object({ type: z.literal('single_page') }).strict(),
  /** Detected from the first response, as when none is set. */
  z.object({ type: z.literal('auto') }).strict(),
]);
export type PaginatorConfig = z.infer<typeof paginatorSchema>;
/** A paginator that says how to page (not `auto`, which detects one). */
export type PagingConfig = Exclude<PaginatorConfig, { type: 'auto' }>;

/** dlt's param bound to a field of each record of the parent resource. */
const resolveParamSchema = z
  .object({ type: z.literal('resolve'), resource: z.string().min(1), field: z.string().min(1) })
  .strict();
type Param = string | number | boolean | z.infer<typeof resolveParamSchema>;

/** A resource pulled from a REST API (in the spirit of dlt's rest_api source). */
export const restSourceSchema = z
  .object({
    kind: z.literal('rest_api'),
    baseUrl: z.url(),
    /**
     * Relative to baseUrl; `{resources.<parent>.<field>}` (or, with `parent`, `{field}`) is filled
     * from each record of the parent resource, `{incremental.start_value}` from the cursor.
     */
    path: z.string().min(1),
    /** Query parameters; dlt's `{ type: 'resolve', resource, field }` takes a parent record's field. */
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), resolveParamSchema]))
      .default({}),
    method: z.enum(['GET', 'POST']).default('GET'),
    /** The JSON body of a POST (a search or query endpoint). */
    json: z.record(z.string(), z.unknown()).optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /**
     * A JSON path to the records in each response; without one they are found as dlt finds them
     * (the body if it is a list, else its first list under a key such as `data` or `items`).
     */
    dataSelector: z.string().optional(),
    /** Without one, detected from the first response as dlt does (Link header, `next` URL). */
    paginator: paginatorSchema.optional(),
    auth: restAuthSchema.optional(),
    /** One request per record of this resource of the same pipeline (implied by `{resources.<parent>...}`). */
    parent: z.string().min(1).optional(),
    /** Parent fields copied into each child record as `_<parent>_<field>`. */
    includeFromParent: z.array(z.string().min(1)).default([]),
    incremental: z
      .object({
        cursorPath: z.string().min(1),
        /**
         * The query parameter that receives the last value seen, or (a POST's) its path in the JSON
         * body; or neither, where params or json hold dlt's `{incremental.start_value}`.
         */
        param: z.string().min(1).optional(),
        bodyPath: z.string().min(1).optional(),
        initialValue: cursorValueSchema,
        /**
         * dlt's end_value: a backfill of [initialValue, endValue) that neither reads nor moves the
         * resource's cursor; sent as `endParam` or by the `{incremental.end_value}` placeholder.
         */
        endValue: cursorValueSchema.optional(),
        endParam: z.string().min(1).optional(),
        /** A record without the cursor field (or with null there) fails the pull, loads, or is dropped. */
        onCursorValueMissing: cursorValueMissingSchema,
      })
      .strict()
      .refine((c) => c.param === undefined || c.bodyPath === undefined, {
        message: 'set param or bodyPath, not both',
      })
      .refine(endsAfterInitial, { message: 'endValue must come after initialValue', path: ['endValue'] })
      .refine((c) => c.endParam === undefined || c.endValue !== undefined, {
        message: 'endParam sends endValue: set endValue too',
        path: ['endParam'],
      })
      .optional(),
    /**
     * Answers that are ignored, ending the endpoint's paging (dlt's response_actions with action
     * `ignore`): by status (a child endpoint that answers 404 for some parents), by text the body
     * holds (`content`), or both.
     */
    responseActions: z
      .array(
        z
          .object({
            statusCode: z.number().int().min(200).max(599).optional(),
            content: z.string().min(1).optional(),
            action: z.literal('ignore'),
          })
          .strict()
          .refine((a) => a.statusCode !== undefined || a.content !== undefined, {
            message: 'set statusCode, content or both',
          }),
      )
      .default([]),
    maxAttempts: z.number().int().min(1).max(20).default(5),
    timeoutSeconds: z.number().positive().default(60),
  })
  .strict()
  .transform(withResolvedParams)
  .refine(
    (source) =>
      source.incremental === undefined ||
      source.incremental.param !== undefined ||
      source.incremental.bodyPath !== undefined ||
      incrementalPlaceholders(requestParts(source)).length > 0,
    {
      message:
        'an incremental cursor goes somewhere: set param or bodyPath, or put {incremental.start_value} in the path, params, headers or json',
      path: ['incremental'],
    },
  )
  .refine(
    (source) =>
      source.incremental?.endValue !== undefined ||
      !incrementalPlaceholders(requestParts(source)).includes('end_value'),
    { message: '{incremental.end_value} needs incremental.endValue', path: ['incremental'] },
  )
  .refine(
    (source) => {
      const named = new Set(parentFieldReferences(requestParts(source)).map((r) => r.resource));
      return (
        named.size === 0 || (named.size === 1 && (source.parent === undefined || named.has(source.parent)))
      );
    },
    {
      message: '{resources.<parent>.<field>} placeholders name one parent resource, the parent if set',
      path: ['path'],
    },
  )
  // as in dlt, a placeholder naming a resource makes it the parent
  .transform((source) => ({
    ...source,
    parent: source.parent ?? parentFieldReferences(requestParts(source))[0]?.resource,
  }));

/**
 * dlt's resolved params as the placeholders they stand for: `{name}` in the path where the path
 * names the param, else a query parameter, either holding `{resources.<resource>.<field>}`.
 */
function withResolvedParams<T extends { path: string; params: Record<string, Param> }>(
  source: T,
): T & { params: Record<string, string | number | boolean> } {
  let { path } = source;
  const params: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(source.params)) {
    if (typeof value !== 'object') {
      params[name] = value;
      continue;
    }
    const placeholder = `{resources.${value.resource}.${value.field}}`;
    if (path.includes(`{${name}}`)) path = path.replaceAll(`{${name}}`, placeholder);
    else params[name] = placeholder;
  }
  return { ...source, path, params };
}

/** The parts of a request that hold placeholders. */
function requestParts(source: { path: string; params: object; headers: object; json?: object }): unknown[] {
  return [source.path, source.params, source.headers, source.json];
}

export type RestSourceConfig = z.infer<typeof restSourceSchema>;
