import { assertTenant, InvalidRequestError } from '@gatehouse/core';

import type { GatehouseModuleOptions } from './gatehouse-options.interface.js';

/** @internal Checks the module options at the door; names the option and the value that is wrong. */
export function normalizeOptions(options: GatehouseModuleOptions): GatehouseModuleOptions {
  const where = 'GatehouseModule';
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) {
    throw new TypeError(`${where}: expected an options object, got ${given === null ? 'null' : typeof given}`);
  }
  const hasPdp = options.pdp !== undefined;
  const hasClient = options.client !== undefined;
  if (hasPdp === hasClient) {
    throw new TypeError(`${where}: expected exactly one of options.pdp and options.client, got ${hasPdp ? 'both' : 'neither'}`);
  }
  if (hasPdp && typeof (options.pdp as { check?: unknown }).check !== 'function') {
    throw new TypeError(`${where}: expected options.pdp to implement Pdp (EmbeddedPdp, RemotePdp)`);
  }
  if (typeof options.tenant !== 'function') {
    throw new TypeError(`${where}: expected options.tenant to be a resolver such as fromHeader('x-tenant-id'), got ${typeof options.tenant}`);
  }
  if (typeof options.subject !== 'function') {
    throw new TypeError(`${where}: expected options.subject to be a function (req) => subject | undefined, got ${typeof options.subject}`);
  }
  const missing: unknown = options.missingTenant;
  if (missing !== undefined && missing !== 'default' && missing !== 'reject') {
    throw new TypeError(`${where}: expected options.missingTenant to be "default" or "reject", got ${JSON.stringify(missing)}`);
  }
  if (options.defaultTenant !== undefined) {
    try {
      assertTenant(options.defaultTenant);
    } catch (err) {
      if (err instanceof InvalidRequestError) throw new TypeError(`${where}: options.defaultTenant: ${err.message}`, { cause: err });
      throw err;
    }
  }
  return Object.freeze({ ...options });
}
