import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { ApiClient } from '../core/api-client.service';
import { ApiError } from '../core/api-error';
import { AuthSession } from '../core/auth-session';
import { LoginComponent } from './login.component';

describe('LoginComponent', () => {
  let fixture: ComponentFixture<LoginComponent>;
  let login: jest.Mock;
  let el: HTMLElement;

  beforeEach(async () => {
    localStorage.clear();
    login = jest.fn();
    TestBed.configureTestingModule({
      imports: [LoginComponent],
      providers: [provideRouter([]), { provide: ApiClient, useValue: { login } }],
    });
    fixture = TestBed.createComponent(LoginComponent);
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
  });

  async function typeAndSubmit(value: string): Promise<void> {
    const input = el.querySelector<HTMLInputElement>('#display-name')!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    el.querySelector('form')!.dispatchEvent(new Event('submit'));
    await fixture.whenStable();
  }

  it('labels the name field', () => {
    expect(el.querySelector('label[for="display-name"]')?.textContent).toContain('Display name');
  });

  it('stops the field at the rule (32) and says truly how long the name lasts', () => {
    expect(el.querySelector('#display-name')?.getAttribute('maxlength')).toBe('32');
    expect(el.querySelector('.lead')?.textContent).not.toContain('this tab');
    expect(el.querySelector('.lead')?.textContent).toContain('until you log out');
  });

  it.each([
    ['', 'name must not be empty'],
    ['    ', 'name must not be empty'],
    ['x'.repeat(33), 'at most 32 characters'],
    ['bad\u0007name', 'control characters'],
  ])('refuses %j before calling the server', async (value, rule) => {
    await typeAndSubmit(value);
    expect(login).not.toHaveBeenCalled();
    expect(el.querySelector('[data-testid="name-error"]')?.textContent).toContain(rule);
    expect(el.querySelector('#display-name')?.getAttribute('aria-invalid')).toBe('true');
  });

  it('clears the error once the name is fixed', async () => {
    await typeAndSubmit('');
    const input = el.querySelector<HTMLInputElement>('#display-name')!;
    input.value = 'Ann';
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(el.querySelector('[data-testid="name-error"]')).toBeNull();
  });

  it('logs in with the trimmed name, keeps the token for every tab of this browser and goes to the lobby', async () => {
    login.mockResolvedValue({ token: 'jwt', user: { id: 'u1', name: 'Ann' } });
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    await typeAndSubmit('  Ann  ');
    expect(login).toHaveBeenCalledWith('Ann', null);
    expect(TestBed.inject(AuthSession).token()).toBe('jwt');
    expect(localStorage.getItem('chat.session')).toContain('jwt');
    expect(navigate).toHaveBeenCalledWith('/');
  });

  it('sends the token this browser holds when logging in again, so the same name keeps its user id', async () => {
    TestBed.inject(AuthSession).signIn({ token: 'jwt-old', user: { id: 'u1', name: 'Ann' } });
    login.mockResolvedValue({ token: 'jwt-new', user: { id: 'u1', name: 'Ann' } });
    jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    await typeAndSubmit('Ann');
    expect(login).toHaveBeenCalledWith('Ann', 'jwt-old');
    expect(TestBed.inject(AuthSession).user()).toEqual({ id: 'u1', name: 'Ann' });
  });

  it('returns to the page the guard came from, but never to another site', async () => {
    login.mockResolvedValue({ token: 'jwt', user: { id: 'u1', name: 'Ann' } });
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    fixture.componentRef.setInput('returnUrl', '/rooms/abc12345');
    await typeAndSubmit('Ann');
    expect(navigate).toHaveBeenLastCalledWith('/rooms/abc12345');
    fixture.componentRef.setInput('returnUrl', '//evil.example');
    await typeAndSubmit('Ann');
    expect(navigate).toHaveBeenLastCalledWith('/');
  });

  it("shows the server's 400 message", async () => {
    login.mockRejectedValue(new ApiError(400, 'name must not contain control characters'));
    await typeAndSubmit('Ann');
    expect(el.querySelector('[data-testid="server-error"]')?.textContent).toContain('name must not contain control characters');
    expect(TestBed.inject(AuthSession).isLoggedIn()).toBe(false);
  });
});
