import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAGES = ['extract', 'normalize', 'load'] as const;
export type StageName = (typeof STAGES)[number];

/** The bundle folder of each stage's function in a `cdk synth` output, found through the template. */
export function functionAssetDirs(outDir: string, stack = 'Sluice'): Record<StageName, string> {
  const template = JSON.parse(readFileSync(join(outDir, `${stack}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  const dirOf = (stage: StageName) => {
    const fn = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Metadata?.['aws:cdk:path']?.toLowerCase().includes(`/${stage}/`),
    );
    if (fn === undefined) throw new Error(`no ${stage} function in ${outDir}`);
    return join(outDir, fn.Metadata!['aws:asset:path']!);
  };
  return { extract: dirOf('extract'), normalize: dirOf('normalize'), load: dirOf('load') };
}
