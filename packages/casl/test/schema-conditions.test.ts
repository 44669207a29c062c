import { subject } from '@casl/ability';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { abilityFor } from '@gatehouse/casl';
import { Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';

const schema = `
entity user {}
entity tenant { relation admin @user }
entity doc {
  relation owner @user
  relation banned @user
  attribute a boolean
  attribute b boolean
  attribute c boolean
  attribute level integer

  permission any = a or b or c
  permission all = a and b and c
  permission only_a = a not b
  permission nested = (a or b) not (c not a)
  permission via = any and c
  permission contradiction = a not a
  permission mixed = (owner or a) not banned
  permission with_owner = owner and a
  permission ruled = a and is_high(level)
}
rule is_high(level integer) { level > 3 }
`;

const PURE = ['any', 'all', 'only_a', 'nested', 'via', 'contradiction'];
const MIXED = ['mixed', 'with_owner', 'ruled'];

describe('attribute conditions from the schema', () => {
  let engine: Engine;
  let gate: Gatehouse;
  let definition: Record<string, unknown>;

  beforeAll(async () => {
    engine = await Engine.create({ schema });
    await engine.write({ tenant: 't1', tuples: ['doc:x#banned@user:eve'] });
    gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    definition = (await engine.readSchema('t1')).definition;
  });
  afterAll(async () => {
    await gate.close();
    await engine.close();
  });

  it('answers like gate.can with the same fields as contextual attributes, for every assignment of a, b, c', async () => {
    const ability = await abilityFor(gate, { tenant: 't1', subject: 'eve', resources: ['doc'], schema: definition });
    for (let bits = 0; bits < 8; bits += 1) {
      const fields = { a: (bits & 1) !== 0, b: (bits & 2) !== 0, c: (bits & 4) !== 0 };
      const attributes = Object.entries(fields).map(([k, v]) => `doc:fresh$${k}|boolean:${String(v)}`);
      for (const action of [...PURE, ...MIXED]) {
        const expected = await gate.can('eve', action, 'doc:fresh', { tenant: 't1', context: { attributes } });
        const actual = ability.can(action, subject('doc', { id: 'fresh', ...fields }));
        // Pure attribute permissions translate exactly; mixed ones only where the attributes alone decide.
        if (PURE.includes(action)) expect({ action, fields, actual }).toEqual({ action, fields, actual: expected });
        else if (actual) expect({ action, fields, expected }).toEqual({ action, fields, expected: true });
      }
    }
  });

  it('gives no condition where relations or rule calls decide', async () => {
    const ability = await abilityFor(gate, { tenant: 't1', subject: 'eve', resources: ['doc'], schema: definition });
    const conditional = ability.rules.filter((r) => r.conditions !== undefined && !('id' in r.conditions));
    expect(new Set(conditional.map((r) => r.action as string))).toEqual(new Set(['any', 'all', 'only_a', 'nested', 'via']));
  });

  it('reads camelCase (protojson) definitions as well as snake_case ones', async () => {
    const camel = JSON.parse(
      JSON.stringify(definition)
        .replaceAll('entity_definitions', 'entityDefinitions')
        .replaceAll('rewrite_operation', 'rewriteOperation')
        .replaceAll('computed_attribute', 'computedAttribute')
        .replaceAll('computed_user_set', 'computedUserSet'),
    ) as Record<string, unknown>;
    const ability = await abilityFor(gate, { tenant: 't1', subject: 'eve', resources: ['doc'], schema: camel });
    expect(ability.can('only_a', subject('doc', { id: 'n', a: true }))).toBe(true);
    expect(ability.can('only_a', subject('doc', { id: 'n', a: true, b: true }))).toBe(false);
  });
});
