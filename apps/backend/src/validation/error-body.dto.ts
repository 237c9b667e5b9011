import { ApiErrorBody } from '@app/shared';
import { ApiProperty } from '@nestjs/swagger';

/** Nest's error body, for the Swagger document; each response shows its own example (ApiErrorResponse). */
export class ErrorBodyDto implements ApiErrorBody {
  @ApiProperty({ description: 'The HTTP status, repeated.' }) statusCode: number;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'For people: one text, or the list of rules a body broke.',
  })
  message: string | string[];
  @ApiProperty({ description: 'The status text ("Bad Request", "Unauthorized", …).' }) error: string;
}
