import { applyDecorators, SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';
/** @nestjs/swagger's metadata key of an operation's security requirements (DECORATORS.API_SECURITY, not exported at the top level). */
const SWAGGER_SECURITY = 'swagger/apiSecurity';

/**
 * Opts a route out of the global access-token guard. The OpenAPI document requires the bearer
 * token at its root, as the guard does; a public operation says `security: []`. Put it on a
 * controller (all of whose routes are public): on a method, @nestjs/swagger drops an empty list.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(SWAGGER_SECURITY, []));
