export { abilityFor, rulesFor } from './ability-for.js';
export type { AbilityGate, AbilityOptions, GatehouseRawRule } from './ability-for.js';
export type { SchemaAbility } from './schema-ability.js';
export { abilityPayload, etagMatches } from './ability-payload.js';
export type { AbilityPayload, AbilityPayloadOptions } from './ability-payload.js';
export type { SchemaDefinition } from './schema-conditions.js';
