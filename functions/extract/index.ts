import { parseSluiceConfig } from '../../shared/config/pipelines.js';
import settings from '../../sluice.config.js';
import { extractHandlerFromEnv } from './wiring.js';

export const handler = extractHandlerFromEnv(parseSluiceConfig(settings), process.env);
