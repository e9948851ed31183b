import { inject } from 'vitest';
import { routeLocalWorkspace } from './workspace-dns.js';

// Test workers are separate processes: each routes the local workspace name to the warehouse.
routeLocalWorkspace(inject('localStack').warehouse.host);
