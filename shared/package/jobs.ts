import { z } from 'zod';
import { FILE_FORMATS } from '../formats/file-writer.js';
import { quarantinedFilesSchema } from './quarantine.js';

const jobFile = z.object({ key: z.string(), rows: z.number().int(), bytes: z.number().int() });

/** normalized/jobs.json: the data files of each table, the contract between normalize and load. */
export const jobsSchema = z.object({
  format: z.enum(FILE_FORMATS),
  schemaVersionHash: z.string(),
  tables: z.record(z.string(), z.object({ files: z.array(jobFile), rows: z.number().int() })),
  /** Malformed records set aside (resources with onBadRecord: quarantine), with where they came from. */
  quarantine: quarantinedFilesSchema.optional(),
});

export type Jobs = z.infer<typeof jobsSchema>;

export function parseJobs(text: string, key: string): Jobs {
  const result = jobsSchema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(`invalid jobs file ${key}: ${result.error.issues[0]?.message}`);
  return result.data;
}
