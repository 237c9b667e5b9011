import type { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';
import { displayNameProblem } from '@app/shared';

/** The server's display-name rule, checked before sending: `{ displayName: "<why>" }` when refused. */
export const displayNameValidator: ValidatorFn = (control: AbstractControl<string>): ValidationErrors | null => {
  const problem = displayNameProblem(control.value ?? '');
  return problem ? { displayName: problem } : null;
};
