import type { Pdp, Tuple } from '@gatehouse/core';
import { LockOutError } from './errors.js';
import { AdminForbiddenError } from './errors.js';
import { tenantModel } from './schema-roles.js';
import type { TenantModel } from './schema-roles.js';
import type { AdminActor } from './types.js';

/**
 * What the admin service needs of the policy store: the engine's data API. `Engine` from `@gatehouse/engine`
 * satisfies it as is.
 */
export interface PolicyData {
  write(request: { tenant: string; tuples: readonly Tuple[] }): Promise<{ snapToken: string }>;
  delete(request: { tenant: string; tuples: readonly Tuple[] }): Promise<{ snapToken: string }>;
  readRelationships(request: {
    tenant: string;
    filter: { entity: { type: string; ids: readonly string[] }; subject: { type: string; ids?: readonly string[] } };
    continuousToken?: string;
    pageSize?: number;
    /** Read the state committed up to this token (the head when absent). */
    snapToken?: string;
  }): Promise<{ tuples: readonly Tuple[]; continuousToken: string }>;
  readSchema(tenant: string): Promise<{ definition: unknown }>;
  /**
   * The newest snap token: a members walk reads every page at the token of its first page, so it never repeats or
   * skips a member. Without it the pages read the head.
   */
  headSnapToken?(tenant: string): string;
}

/**
 * The tuple granting `role` to `userId` in `tenant`, as an object: user ids may contain `@` and `:` (emails), which
 * the string form cannot carry.
 * @internal
 */
export function roleTuple(tenant: string, role: string, userId: string): Tuple {
  return { entity: { type: 'tenant', id: tenant }, relation: role, subject: { type: 'user', id: userId } };
}

/** A user's roles, by user id. @internal */
export type RoleMap = Map<string, Set<string>>;

/**
 * Delegation checks and role reads for one service: permissions are evaluated by the PDP for the acting user on
 * `tenant:<tenant>`; a permission the schema does not define allows nobody.
 * @internal
 */
export class Policy {
  public constructor(
    private readonly data: PolicyData,
    private readonly pdp: Pdp,
  ) {}

  /** The tenant's roles and defined names, from its current schema. */
  public async model(tenant: string): Promise<TenantModel> {
    const { definition } = await this.data.readSchema(tenant);
    return tenantModel(definition);
  }

  /** True when the actor holds `permission` on the tenant (always for a trusted caller; never when undefined). */
  public async allowed(tenant: string, actor: AdminActor, permission: string, model: TenantModel): Promise<boolean> {
    if ('trusted' in actor) return true;
    if (!model.names.has(permission)) return false;
    try {
      const d = await this.pdp.check({ tenant, subject: { type: 'user', id: actor.userId }, action: permission, resource: { type: 'tenant', id: tenant } });
      return d.allowed;
    } catch {
      return false;
    }
  }

  /** @throws AdminForbiddenError naming the permission when the actor lacks it. */
  public async require(tenant: string, actor: AdminActor, permission: string, model: TenantModel): Promise<void> {
    if (!(await this.allowed(tenant, actor, permission, model))) {
      throw AdminForbiddenError.lacking('userId' in actor ? actor.userId : actor.trusted, permission, tenant);
    }
  }

  /** Role tuples of the tenant (of one user when given), by user. Only relations that are roles count. */
  public async roles(tenant: string, model: TenantModel, userId?: string): Promise<RoleMap> {
    const roles = new Set(model.roles);
    const out: RoleMap = new Map();
    let token = '';
    do {
      const page = await this.data.readRelationships({
        tenant,
        filter: { entity: { type: 'tenant', ids: [tenant] }, subject: userId === undefined ? { type: 'user' } : { type: 'user', ids: [userId] } },
        ...(token === '' ? {} : { continuousToken: token }),
      });
      for (const t of page.tuples) {
        if (!roles.has(t.relation) || t.subject.type !== 'user' || (t.subject.relation ?? '') !== '') continue;
        let set = out.get(t.subject.id);
        if (set === undefined) out.set(t.subject.id, (set = new Set()));
        set.add(t.relation);
      }
      token = page.continuousToken;
    } while (token !== '');
    return out;
  }

  /** Users holding `manage_members` (none when the schema does not define it). */
  public async managers(tenant: string, model: TenantModel): Promise<readonly string[]> {
    if (!model.names.has('manage_members')) return [];
    const r = await this.pdp.lookupSubjects({ tenant, resource: { type: 'tenant', id: tenant }, action: 'manage_members', subjectType: 'user' });
    return r.ids;
  }

  /** Whether the user holds `manage_members`: `undefined` when the check failed (then nothing is assumed). */
  private async manages(tenant: string, userId: string): Promise<boolean | undefined> {
    try {
      const d = await this.pdp.check({ tenant, subject: { type: 'user', id: userId }, action: 'manage_members', resource: { type: 'tenant', id: tenant } });
      return d.reason === undefined || d.reason === 'allowed' || d.reason === 'denied' ? d.allowed : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Applies a change to `userId`'s roles unless it would leave the tenant with nobody holding `manage_members`
   * (when somebody held it before). Only `userId`'s own permissions can change, so when `userId` does not hold it
   * the change goes ahead at once (no lookup of every manager); when another user holds it too, likewise; when only
   * `userId` did, the change is applied, the managers are read again, and the change is undone if there are none
   * (refused, 409).
   * @throws LockOutError
   */
  public async guarded(
    tenant: string,
    userId: string,
    model: TenantModel,
    change: () => Promise<{ snapToken: string }>,
    undo: () => Promise<unknown>,
  ): Promise<{ snapToken: string }> {
    if (!model.names.has('manage_members') || (await this.manages(tenant, userId)) === false) return await change();
    const before = await this.managers(tenant, model);
    if (before.length === 0 || before.some((id) => id !== userId)) return await change();
    const result = await change();
    const after = await this.managers(tenant, model);
    if (after.length === 0) {
      await undo();
      throw new LockOutError(tenant);
    }
    return result;
  }
}
