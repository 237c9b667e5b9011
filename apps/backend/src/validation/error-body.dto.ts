import { ApiErrorBody } from '@app/shared';
import { ApiProperty } from '@nestjs/swagger';

/** Nest's error body, for the Swagger document. */
export class ErrorBodyDto implements ApiErrorBody {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: ['name must not be empty'] })
  message: string | string[];
  @ApiProperty({ example: 'Bad Request' }) error: string;
}
