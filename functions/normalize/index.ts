import { parseSluiceConfig } from '../../shared/config/pipelines.js';
import settings from '../../sluice.config.js';
import { normalizeHandlerFromEnv } from './wiring.js';

export const handler = normalizeHandlerFromEnv(parseSluiceConfig(settings), process.env);
