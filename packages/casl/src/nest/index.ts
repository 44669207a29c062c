export { Ability } from './ability.decorator.js';
export type { AbilityDecoratorOptions } from './ability.decorator.js';
export { createAbilitiesController } from './abilities.controller.js';
export type { AbilitiesControllerOptions, AbilitiesControllerRequest } from './abilities.controller.js';
