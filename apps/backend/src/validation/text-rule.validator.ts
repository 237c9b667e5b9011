import { displayNameProblem, roomNameProblem } from '@app/shared';
import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/**
 * The display name's rule from libs/shared (the web app checks the very same function): not empty,
 * at most 32 code points, no control, bidirectional control or zero-width characters, at least one
 * visible character. The message is the rule's own.
 */
@ValidatorConstraint({ name: 'displayName' })
export class DisplayNameRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return displayNameProblem(value) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return displayNameProblem(args.value) ?? 'name is invalid';
  }
}

/** The room name's rule from libs/shared (as DisplayNameRule, at most 64 code points, empty allowed). */
@ValidatorConstraint({ name: 'roomName' })
export class RoomNameRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return roomNameProblem(value) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return roomNameProblem(args.value) ?? 'name is invalid';
  }
}
