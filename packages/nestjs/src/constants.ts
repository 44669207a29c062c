/** Injection token of the module's options, as given to `forRoot()` / returned by `forRootAsync()`'s factory. */
export const GATEHOUSE_OPTIONS = Symbol.for('gatehouse.nestjs.options');

/**
 * Injection token of the checked options (core's `AdapterConfig`: client, resolvers, policies) every part of the
 * module reads, and that `@gatehouse/admin`'s Nest routes reuse. A plain object, never frozen (a provider proxy
 * such as `@nestjs/observe`'s must be able to wrap the functions it holds).
 */
export const GATEHOUSE_CONFIG = Symbol.for('gatehouse.nestjs.config');

/** @internal Metadata key of the `@Permission()` requirements (an array, all must allow). */
export const PERMISSIONS_METADATA = 'gatehouse:permissions';
/** @internal Metadata key of the `@AnyPermission()` groups (an array of arrays, one of each group must allow). */
export const ANY_PERMISSION_METADATA = 'gatehouse:any-permission';
/** @internal Metadata key of `@Public()`. */
export const PUBLIC_METADATA = 'gatehouse:public';
