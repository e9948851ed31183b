import { z } from 'zod';

/** What the queues between the stages carry: a pointer to a package, never data. */
export const packageMessageSchema = z
  .object({
    pipeline: z.string().min(1),
    dataset: z.string().min(1),
    loadId: z.string().regex(/^\d+\.\d+$/),
  })
  .strict();

export type PackageMessage = z.infer<typeof packageMessageSchema>;

export function parsePackageMessage(body: string): PackageMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error(`package message is not JSON: ${body.slice(0, 200)}`);
  }
  const result = packageMessageSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid package message: ${issue?.path.join('.') || '(message)'}: ${issue?.message}`);
  }
  return result.data;
}
