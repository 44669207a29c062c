export type { EntityNode, ExprNode, MemberNode, NameNode, RelationTypeNode, RuleNode, RuleParamNode, SchemaAst } from './ast.js';
export { compileSchema, TENANT_ENTITY } from './compiler.js';
export { SchemaCompileError, SchemaParseError } from './errors.js';
export type { SourcePosition } from './errors.js';
export type {
  AttributeDefinition,
  AttributeType,
  CompiledSchema,
  EntityDefinition,
  MemberKind,
  PermissionDefinition,
  PermissionExpr,
  RelationDefinition,
  RelationReference,
  RuleDefinition,
} from './ir.js';
export { parseSchema } from './parser.js';
export { toPermifyDefinition } from './permify-definition.js';
export { schemaHash, schemaTypeModel } from './type-model.js';
export type { EntityTypeModel, RuleTypeModel, SchemaTypeModel } from './type-model.js';
export type { PermifyJson } from './permify-definition.js';
