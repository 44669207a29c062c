export { validate, validateFile } from './validate.js';
export type { ValidateOptions, ValidationFailure, ValidationIssue, ValidationResult } from './validate.js';
