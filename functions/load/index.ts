import { loadHandlerFromEnv } from './wiring.js';

export const handler = loadHandlerFromEnv(process.env);
