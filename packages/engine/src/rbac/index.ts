export { compileRbac } from './compile-rbac.js';
