export { validate, validateFile } from './validate.js';
export type { ValidateOptions, ValidationFailure, ValidationIssue, ValidationOutcome, ValidationResult } from './validate.js';
