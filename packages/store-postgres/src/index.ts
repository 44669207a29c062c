export { PostgresStore } from './postgres-store.js';
export type { PostgresStoreStats } from './postgres-store.js';
export type { PostgresStoreOptions, RelayKind } from './options.js';
export { StoreError } from './store-error.js';
export type { ChangeNotice } from './relay/change-relay.js';
