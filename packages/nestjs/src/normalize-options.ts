import { assertTenant, InvalidRequestError } from '@gatehouse/core';

import type { GatehouseModuleOptions } from './gatehouse-options.interface.js';

/** @internal Checks the module options at the door; names the option and the value that is wrong. */
export function normalizeOptions(options: GatehouseModuleOptions): GatehouseModuleOptions {
  const where = 'GatehouseModule';
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError(`${where}: expected an options object, got ${String(options)}`);
  }
  const hasPdp = options.pdp !== undefined;
  const hasClient = options.client !== undefined;
  if (hasPdp === hasClient) {
    throw new TypeError(`${where}: expected exactly one of options.pdp and options.client, got ${hasPdp ? 'both' : 'neither'}`);
  }
  if (hasPdp && typeof options.pdp?.check !== 'function') {
    throw new TypeError(`${where}: expected options.pdp to implement Pdp (EmbeddedPdp, RemotePdp)`);
  }
  if (typeof options.tenant !== 'function') {
    throw new TypeError(`${where}: expected options.tenant to be a resolver such as fromHeader('x-tenant-id'), got ${typeof options.tenant}`);
  }
  if (typeof options.subject !== 'function') {
    throw new TypeError(`${where}: expected options.subject to be a function (req) => subject | undefined, got ${typeof options.subject}`);
  }
  if (options.missingTenant !== undefined && options.missingTenant !== 'default' && options.missingTenant !== 'reject') {
    throw new TypeError(`${where}: expected options.missingTenant to be "default" or "reject", got ${JSON.stringify(options.missingTenant)}`);
  }
  if (options.defaultTenant !== undefined) {
    try {
      assertTenant(options.defaultTenant);
    } catch (err) {
      if (err instanceof InvalidRequestError) throw new TypeError(`${where}: options.defaultTenant: ${err.message}`);
      throw err;
    }
  }
  return Object.freeze({ ...options });
}
