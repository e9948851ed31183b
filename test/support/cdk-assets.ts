import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAGES = ['extract', 'normalize', 'load'] as const;
export type StageName = (typeof STAGES)[number];

interface FunctionResource {
  Type: string;
  Properties: { Runtime?: string };
  Metadata?: Record<string, string>;
}

/** Each stage's Lambda function in a `cdk synth` output's template. */
function stageFunctions(outDir: string, stack: string): Record<StageName, FunctionResource> {
  const template = JSON.parse(readFileSync(join(outDir, `${stack}.template.json`), 'utf8')) as {
    Resources: Record<string, FunctionResource>;
  };
  return byStage((stage) => {
    const fn = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Metadata?.['aws:cdk:path']?.toLowerCase().includes(`/${stage}/`),
    );
    if (fn === undefined) throw new Error(`no ${stage} function in ${outDir}`);
    return fn;
  });
}

/** A value for each stage. */
function byStage<T>(forStage: (stage: StageName) => T): Record<StageName, T> {
  return { extract: forStage('extract'), normalize: forStage('normalize'), load: forStage('load') };
}

/** The bundle folder of each stage's function in a `cdk synth` output, found through the template. */
export function functionAssetDirs(outDir: string, stack = 'Sluice'): Record<StageName, string> {
  const functions = stageFunctions(outDir, stack);
  return byStage((stage) => join(outDir, functions[stage].Metadata!['aws:asset:path']!));
}

/** The runtime of each stage's function (`nodejs24.x`) in a `cdk synth` output. */
export function functionRuntimes(outDir: string, stack = 'Sluice'): Record<StageName, string | undefined> {
  const functions = stageFunctions(outDir, stack);
  return byStage((stage) => functions[stage].Properties.Runtime);
}
