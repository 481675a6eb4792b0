/**
 * The only import of fastify-type-provider-zod. Routes, the error handler and the swagger plugin
 * use these names, so swapping the provider (or its major version) touches one file.
 */
export {
  createJsonSchemaTransform,
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  serializerCompiler,
  validatorCompiler,
  type FastifyPluginAsyncZod,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
export { createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
