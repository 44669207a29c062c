export { RemoteAbility } from './remote-ability.js';
export type { EventSourceLike, RemoteAbilityOptions, RemoteAbilityPayload } from './remote-ability.js';
