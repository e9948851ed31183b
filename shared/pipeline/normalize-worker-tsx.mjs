// Starts the TypeScript normalize worker under tsx: a worker thread does not inherit the loader
// the CLI and the tests run with.
import { register } from 'tsx/esm/api';

register();
await import('./normalize-worker.ts');
