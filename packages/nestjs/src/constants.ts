/** Injection token of the normalised {@link GatehouseModuleOptions}. */
export const GATEHOUSE_OPTIONS = Symbol.for('gatehouse.nestjs.options');

/** @internal Metadata key of the `@Permission()` requirements (an array, all must allow). */
export const PERMISSIONS_METADATA = 'gatehouse:permissions';
/** @internal Metadata key of the `@AnyPermission()` groups (an array of arrays, one of each group must allow). */
export const ANY_PERMISSION_METADATA = 'gatehouse:any-permission';
/** @internal Metadata key of `@Public()`. */
export const PUBLIC_METADATA = 'gatehouse:public';
