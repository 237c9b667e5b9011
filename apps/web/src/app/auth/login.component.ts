import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { DEFAULT_LIMITS } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { ApiError } from '../core/api-error';
import { AuthSession } from '../core/auth-session';
import { displayNameValidator } from './display-name.validator';

/** Guest login by display name. */
@Component({
  selector: 'app-login',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule],
  templateUrl: './login.component.html',
  styleUrl: './login.component.css',
})
export class LoginComponent {
  /** Where to go after login (query parameter, set by the auth guard). */
  readonly returnUrl = input<string | undefined>();

  private readonly api = inject(ApiClient);
  private readonly session = inject(AuthSession);
  private readonly router = inject(Router);

  protected readonly name = new FormControl('', { nonNullable: true, validators: [displayNameValidator] });
  /** The server's rule, so the field stops where the rule does. */
  protected readonly maxLength = DEFAULT_LIMITS.maxNameLength;
  protected readonly submitting = signal(false);
  /** The rule the name breaks, shown once the user tried or left the field. */
  protected readonly clientError = signal<string | null>(null);
  protected readonly serverError = signal<string | null>(null);

  constructor() {
    this.name.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => {
      this.serverError.set(null);
      if (this.clientError() !== null) this.refreshClientError();
    });
  }

  protected onBlur(): void {
    if (this.name.value !== '') this.refreshClientError();
  }

  async submit(): Promise<void> {
    this.refreshClientError();
    if (this.name.invalid || this.submitting()) return;
    this.submitting.set(true);
    this.serverError.set(null);
    try {
      // The token this browser holds (any tab): the same name keeps the same user id until logout.
      const response = await this.api.login(this.name.value.trim(), this.session.token());
      this.session.signIn(response);
      await this.router.navigateByUrl(this.safeReturnUrl());
    } catch (error) {
      this.serverError.set(ApiError.from(error).message);
    } finally {
      this.submitting.set(false);
    }
  }

  private refreshClientError(): void {
    const errors = this.name.errors;
    this.clientError.set(errors ? String(errors['displayName']) : null);
  }

  /** Only same-app paths: a crafted link must not send the user elsewhere after login. */
  private safeReturnUrl(): string {
    const url = this.returnUrl();
    return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login') ? url : '/';
  }
}
