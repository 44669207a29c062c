export { abilitiesHandler } from './abilities-handler.js';
export type { AbilitiesHandlerOptions, AbilitiesRequest, AbilitiesResponse } from './abilities-handler.js';
