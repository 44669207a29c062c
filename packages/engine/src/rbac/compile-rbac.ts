import { LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';

import { compileSchema } from '../schema/compiler.js';
import { SchemaCompileError, SchemaParseError, type SourcePosition } from '../schema/errors.js';
import type { AttributeType } from '../schema/ir.js';
import { describeNode, entries, entry, isMap, isNull, isScalar, isSeq, YamlSource } from '../validation/yaml-source.js';

const NAME = /^[a-zA-Z_]{1,64}$/;
const TYPES = new Set<string>(['boolean', 'string', 'integer', 'double', 'boolean[]', 'string[]', 'integer[]', 'double[]']);
const RESERVED = new Set(['user', 'tenant']);

interface Resource {
  readonly name: string;
  readonly actions: string[];
  readonly actionPositions: Map<string, SourcePosition>;
  readonly attributes: { name: string; type: AttributeType }[];
  readonly conditions: Map<string, { expression: string; position: SourcePosition }>;
}

/** One way to hold an action: a role, optionally under a condition of the resource. */
interface Grant {
  readonly role: string;
  readonly condition?: string;
}

/**
 * Compiles the RBAC file (docs/semantics.md#the-rbac-file) to schema-language text. Roles become relations of `entity tenant`
 * (assigned as `tenant:<t>#<role>@user:<id>`); each action of a resource becomes a permission that is the
 * union of `tenant.<role>` over the roles granting it, `and`-ed with a rule call when the grant has a
 * condition. `extends` lists roles whose grants a role derives.
 *
 * ```yaml
 * resources:
 *   document:
 *     actions: [read, edit, delete]
 *     attributes: { public: boolean, level: integer }
 *     conditions:
 *       is_public: public
 *       deep_enough: level >= context.data.min_level
 * roles:
 *   guest:  { document: [{ action: read, when: is_public }] }
 *   viewer: { document: [read] }
 *   editor: { extends: [viewer], document: [edit] }
 *   admin:  { extends: [editor], document: ["*"] }
 * ```
 *
 * @param yamlText - The RBAC YAML.
 * @returns Schema text that {@link compileSchema} accepts.
 * @throws {@link SchemaParseError} for YAML that does not parse, at its line and column.
 * @throws {@link SchemaCompileError} for a file that breaks the format (unknown role, action or condition,
 *   a bad name, a condition that is not boolean CEL), at the line and column of the YAML node.
 * @example
 * ```ts
 * const schema = compileRbac('resources:\n  doc: { actions: [read] }\nroles:\n  viewer: { doc: [read] }\n');
 * // entity tenant { relation viewer @user } … entity doc { permission read = tenant.viewer }
 * ```
 */
export function compileRbac(yamlText: string): string {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const p = first.linePos?.[0];
    throw new SchemaParseError(`invalid YAML: ${first.message.split('\n')[0] ?? first.message}`, { line: p?.line ?? 1, column: p?.col ?? 1 });
  }
  return new RbacCompiler(new YamlSource(lines)).compile(doc.contents);
}

class RbacCompiler {
  public constructor(private readonly src: YamlSource) {}

  private fail(expected: string, node: Node | null | undefined, fallback?: SourcePosition): never {
    throw SchemaCompileError.expected(expected, describeNode(node), this.src.position(node, fallback));
  }

  private name(node: Node | null, what: string): string {
    if (!isScalar(node) || typeof node.value !== 'string' || !NAME.test(node.value)) {
      this.fail(`${what} of letters and "_" only`, node);
    }
    return node.value;
  }

  private map(node: Node | null, what: string, fallback?: SourcePosition): YAMLMap {
    if (!isMap(node)) this.fail(what, node, fallback);
    return node;
  }

  public compile(root: Node | null): string {
    const top = this.map(root, 'a map with "resources" and "roles"');
    const resourcesEntry = entry(top, 'resources');
    if (resourcesEntry === undefined) this.fail('a "resources" key', top);
    const resources = new Map<string, Resource>();
    for (const e of entries(this.map(resourcesEntry.value, 'a map of resource types', this.src.position(resourcesEntry.keyNode)))) {
      const name = this.name(e.keyNode, 'a resource type');
      if (RESERVED.has(name)) this.fail(`a resource type other than "${name}" (reserved)`, e.keyNode);
      resources.set(name, this.resource(name, e.value, this.src.position(e.keyNode)));
    }
    const grants = this.roles(top, resources);
    return this.emit(resources, grants);
  }

  private resource(name: string, node: Node | null, at: SourcePosition): Resource {
    const map = this.map(node, `a map with "actions" for resource "${name}"`, at);
    const actionsNode = entry(map, 'actions')?.value ?? null;
    if (!isSeq(actionsNode) || actionsNode.items.length === 0) this.fail(`a non-empty list of actions for resource "${name}"`, actionsNode, this.src.position(map));
    const actions: string[] = [];
    const actionPositions = new Map<string, SourcePosition>();
    for (const item of actionsNode.items as Node[]) {
      const action = this.name(item, 'an action name');
      if (actions.includes(action)) this.fail(`a new action name for resource "${name}"`, item);
      actions.push(action);
      actionPositions.set(action, this.src.position(item));
    }
    const attributes: { name: string; type: AttributeType }[] = [];
    const attrNode = entry(map, 'attributes')?.value ?? null;
    if (!isNull(attrNode)) {
      for (const e of entries(this.map(attrNode, `a map of attribute name to type for resource "${name}"`))) {
        const attr = this.name(e.keyNode, 'an attribute name');
        if (actions.includes(attr)) this.fail(`an attribute name that is not also an action of "${name}"`, e.keyNode);
        if (!isScalar(e.value) || typeof e.value.value !== 'string' || !TYPES.has(e.value.value)) {
          this.fail('an attribute type (boolean, string, integer, double, or one of them with [])', e.value, this.src.position(e.keyNode));
        }
        attributes.push({ name: attr, type: e.value.value as AttributeType });
      }
    }
    const conditions = new Map<string, { expression: string; position: SourcePosition }>();
    const condNode = entry(map, 'conditions')?.value ?? null;
    if (!isNull(condNode)) {
      for (const e of entries(this.map(condNode, `a map of condition name to CEL expression for resource "${name}"`))) {
        const cond = this.name(e.keyNode, 'a condition name');
        if (!isScalar(e.value) || (typeof e.value.value !== 'string' && typeof e.value.value !== 'boolean')) {
          this.fail('a CEL expression', e.value, this.src.position(e.keyNode));
        }
        const position = this.src.position(e.value);
        if (attributes.length === 0) {
          throw SchemaCompileError.expected(`attributes on resource "${name}" for condition "${cond}" to read`, 'none', position);
        }
        const expression = String(e.value.value);
        this.checkCondition(name, cond, expression, attributes, position);
        conditions.set(cond, { expression, position });
      }
    }
    return { name, actions, actionPositions, attributes, conditions };
  }

  private checkCondition(resource: string, cond: string, expression: string, attributes: Resource['attributes'], position: SourcePosition): void {
    if (expression.includes('}')) throw SchemaCompileError.expected('a CEL expression without "}"', JSON.stringify(expression), position);
    try {
      compileSchema(`entity x {}\nrule ${ruleName(resource, cond)}(${attributes.map((a) => `${a.name} ${a.type}`).join(', ')}) {${expression}}`);
    } catch (error) {
      if (error instanceof SchemaCompileError || error instanceof SchemaParseError) {
        throw new SchemaCompileError(`condition "${cond}" of resource "${resource}": ${error.message.replace(/^\d+:\d+: /, '')}`, position, { cause: error });
      }
      throw error;
    }
  }

  private roles(top: YAMLMap, resources: ReadonlyMap<string, Resource>): Map<string, Map<string, Grant[]>> {
    const rolesEntry = entry(top, 'roles');
    if (rolesEntry === undefined) this.fail('a "roles" key', top);
    const direct = new Map<string, { grants: Map<string, { action: string; condition?: string }[]>; extends: { name: string; node: Node }[] }>();
    for (const e of entries(this.map(rolesEntry.value, 'a map of roles', this.src.position(rolesEntry.keyNode)))) {
      const role = this.name(e.keyNode, 'a role name');
      if (role === 'tenant') this.fail('a role name other than "tenant" (reserved)', e.keyNode);
      const grants = new Map<string, { action: string; condition?: string }[]>();
      const ext: { name: string; node: Node }[] = [];
      for (const g of entries(this.map(e.value, `a map of resource to actions for role "${role}"`, this.src.position(e.keyNode)))) {
        if (g.key === 'extends') {
          if (!isSeq(g.value)) this.fail('a list of role names after "extends"', g.value, this.src.position(g.keyNode));
          for (const item of g.value.items as Node[]) ext.push({ name: this.name(item, 'a role name'), node: item });
          continue;
        }
        const resource = resources.get(g.key);
        if (resource === undefined) this.fail('a resource type declared under "resources"', g.keyNode);
        grants.set(resource.name, this.grantList(resource, g.value, this.src.position(g.keyNode)));
      }
      direct.set(role, { grants, extends: ext });
    }
    for (const [role, r] of direct) {
      for (const x of r.extends) {
        if (!direct.has(x.name)) this.fail(`a role declared under "roles" in extends of "${role}"`, x.node);
      }
    }
    // Derived grants: a role holds its own grants and those of every role it extends, transitively.
    const out = new Map<string, Map<string, Grant[]>>();
    for (const resource of resources.values()) {
      const byAction = new Map<string, Grant[]>(resource.actions.map((a) => [a, []]));
      for (const role of direct.keys()) {
        const seen = new Set<string>();
        const stack = [role];
        while (stack.length > 0) {
          const current = stack.pop() ?? role;
          if (seen.has(current)) continue;
          seen.add(current);
          const r = direct.get(current);
          for (const g of r?.grants.get(resource.name) ?? []) {
            const list = byAction.get(g.action) ?? [];
            const grant: Grant = g.condition === undefined ? { role } : { role, condition: g.condition };
            if (!list.some((x) => x.role === grant.role && x.condition === grant.condition)) list.push(grant);
          }
          for (const x of r?.extends ?? []) stack.push(x.name);
        }
      }
      out.set(resource.name, byAction);
    }
    return out;
  }

  private grantList(resource: Resource, node: Node | null, at: SourcePosition): { action: string; condition?: string }[] {
    if (!isSeq(node)) this.fail(`a list of actions of "${resource.name}"`, node, at);
    const out: { action: string; condition?: string }[] = [];
    for (const item of node.items as Node[]) {
      if (isScalar(item) && item.value === '*') {
        for (const action of resource.actions) out.push({ action });
        continue;
      }
      if (isMap(item)) {
        const actionNode = entry(item, 'action')?.value ?? null;
        const action = this.name(actionNode, 'an action name after "action"');
        if (!resource.actions.includes(action)) this.fail(`an action of "${resource.name}" (${resource.actions.join(', ')})`, actionNode);
        const whenNode = entry(item, 'when')?.value ?? null;
        if (isNull(whenNode)) {
          out.push({ action });
          continue;
        }
        const condition = this.name(whenNode, 'a condition name after "when"');
        if (!resource.conditions.has(condition)) this.fail(`a condition declared under resources.${resource.name}.conditions`, whenNode);
        out.push({ action, condition });
        continue;
      }
      const action = this.name(item, 'an action name, "*" or { action, when }');
      if (!resource.actions.includes(action)) this.fail(`an action of "${resource.name}" (${resource.actions.join(', ')})`, item);
      out.push({ action });
    }
    return out;
  }

  private emit(resources: ReadonlyMap<string, Resource>, grants: ReadonlyMap<string, ReadonlyMap<string, Grant[]>>): string {
    const roles = new Set<string>();
    for (const byAction of grants.values()) for (const list of byAction.values()) for (const g of list) roles.add(g.role);
    const out: string[] = ['entity user {}', '', 'entity tenant {'];
    for (const role of roles) out.push(`    relation ${role} @user`);
    out.push('}');
    const rules: string[] = [];
    for (const resource of resources.values()) {
      out.push('', `entity ${resource.name} {`);
      for (const a of resource.attributes) out.push(`    attribute ${a.name} ${a.type}`);
      if (resource.attributes.length > 0) out.push('');
      const args = resource.attributes.map((a) => a.name).join(', ');
      for (const action of resource.actions) {
        const list = grants.get(resource.name)?.get(action) ?? [];
        if (list.length === 0) {
          throw SchemaCompileError.expected(`action "${action}" of resource "${resource.name}" to be granted by at least one role`, 'none', resource.actionPositions.get(action) ?? { line: 1, column: 1 });
        }
        const terms = list.map((g) =>
          g.condition === undefined ? `tenant.${g.role}` : `(tenant.${g.role} and ${ruleName(resource.name, g.condition)}(${args}))`,
        );
        out.push(`    permission ${action} = ${terms.join(' or ')}`);
      }
      out.push('}');
      const params = resource.attributes.map((a) => `${a.name} ${a.type}`).join(', ');
      for (const [cond, c] of resource.conditions) {
        rules.push('', `rule ${ruleName(resource.name, cond)}(${params}) {`, `    ${c.expression.trim().replace(/\r?\n/g, ' ')}`, '}');
      }
    }
    return `${[...out, ...rules].join('\n')}\n`;
  }
}

function ruleName(resource: string, condition: string): string {
  return `${resource}_${condition}`;
}
