import dns from 'node:dns';

/**
 * The local warehouse's workspace name. The driver only does OAuth for Databricks domains, and
 * builds OAuth URLs from the host alone, so OAuth tests reach the warehouse by this name on 443.
 */
export const LOCAL_WORKSPACE_HOST = 'sluice-local.cloud.databricks.com';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * Resolves LOCAL_WORKSPACE_HOST to a loopback address in this process; every other name goes to
 * the system resolver. Set from the environment (SLUICE_LOCAL_WORKSPACE_IP) so child processes
 * started with `--import` of this module resolve it too.
 */
export function routeLocalWorkspace(ip: string): void {
  process.env.SLUICE_LOCAL_WORKSPACE_IP = ip;
  const original = dns.lookup as unknown as (
    hostname: string,
    options: unknown,
    callback: LookupCallback,
  ) => void;
  if ((dns.lookup as { routed?: boolean }).routed) return;
  const routed = (hostname: string, options: unknown, callback?: LookupCallback) => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as dns.LookupOptions;
    const target = process.env.SLUICE_LOCAL_WORKSPACE_IP;
    if (hostname.toLowerCase() !== LOCAL_WORKSPACE_HOST || target === undefined) {
      return original(hostname, typeof options === 'function' ? {} : options, cb);
    }
    if (opts.all) return process.nextTick(cb, null, [{ address: target, family: 4 }]);
    return process.nextTick(cb, null, target, 4);
  };
  Object.assign(routed, { routed: true });
  (dns as { lookup: unknown }).lookup = routed;
}

if (process.env.SLUICE_LOCAL_WORKSPACE_IP) routeLocalWorkspace(process.env.SLUICE_LOCAL_WORKSPACE_IP);
