// The sandbox validates with the same OpenAPI-to-ajv conversion as doql's request builder (catalog/openapi-ajv).
export { compileSchema, createAjv, toJsonSchema, type SchemaMode } from '../catalog/openapi-ajv.js';
