import { codePointLength } from '@app/shared';
import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/** Length limit in Unicode code points (class-validator's MaxLength counts UTF-16 units). */
@ValidatorConstraint({ name: 'maxCodePoints' })
export class MaxCodePoints implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return typeof value === 'string' && codePointLength(value) <= (args.constraints[0] as number);
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be at most ${args.constraints[0] as number} characters`;
  }
}
