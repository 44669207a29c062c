/**
 * Internals shared with sibling packages (`@gatehouse/store-postgres`): helpers to implement a {@link Store}
 * that behaves like the memory store, and the memory store's view API. Not part of the public API.
 */
export { inferType, isEmptyAttributeFilter, isEmptyTupleFilter, MemoryStore } from './store/memory-store.js';
export { compareSnapTokens, formatSnapToken, isSnapToken, parseSnapToken, SNAP_TOKEN_PATTERN } from './store/snap-token.js';
export type {
  AttributeFilter,
  CommitResult,
  DataChange,
  LoadedRow,
  PageOptions,
  ReadOptions,
  SchemaRecord,
  Store,
  StoreChange,
  StoreListener,
  TenantRecord,
  TupleFilter,
  WriteSet,
} from './store/store.js';
