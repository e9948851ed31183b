import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

/**
 * The default export of a configuration file (TypeScript or JavaScript). It is imported through
 * tsx in a module namespace of its own: a `.ts` file outside a package whose type is `module`
 * loads as CommonJS, and its require of Sluice's own modules (`defineConfig`) would otherwise meet
 * the CLI's module graph still evaluating and fail as a require cycle.
 */
export async function loadConfigFile(file: string): Promise<unknown> {
  const loaded = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
  const exported = loaded.default;
  // from CommonJS the namespace's default is module.exports, which holds the file's own default
  if (isCompiledModule(exported)) return exported.default;
  return exported;
}

function isCompiledModule(value: unknown): value is { default: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { __esModule?: unknown }).__esModule === true &&
    Object.hasOwn(value, 'default')
  );
}
