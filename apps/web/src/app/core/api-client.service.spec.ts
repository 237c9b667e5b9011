import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { ApiClient } from './api-client.service';
import { ApiError } from './api-error';
import { AuthSession } from './auth-session';
import { authInterceptor } from './auth.interceptor';

describe('ApiClient with the auth interceptor', () => {
  let api: ApiClient;
  let http: HttpTestingController;
  let session: AuthSession;

  beforeEach(() => {
    localStorage.clear();
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting()],
    });
    api = TestBed.inject(ApiClient);
    http = TestBed.inject(HttpTestingController);
    session = TestBed.inject(AuthSession);
  });

  afterEach(() => http.verify());

  it('sends the access token as a Bearer header to the API', async () => {
    session.signIn({ token: 'jwt-1', user: { id: 'u1', name: 'Ann' } });
    const result = api.roomSession('abc 123');
    const req = http.expectOne('/api/rooms/abc%20123');
    expect(req.request.method).toBe('POST');
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt-1');
    req.flush({ roomId: 'abc 123', url: 'ws://x', token: 't', serverId: 's' });
    await expect(result).resolves.toEqual(expect.objectContaining({ serverId: 's' }));
  });

  it("turns Nest's error body into an ApiError with the server's message", async () => {
    const result = api.login('bad');
    http
      .expectOne('/api/login')
      .flush({ statusCode: 400, message: ['name must not be empty'], error: 'Bad Request' }, { status: 400, statusText: 'Bad Request' });
    await expect(result).rejects.toEqual(new ApiError(400, 'name must not be empty'));
  });

  it('logs out and goes to login on a 401', async () => {
    session.signIn({ token: 'expired', user: { id: 'u1', name: 'Ann' } });
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const result = api.createRoom('x');
    http.expectOne('/api/rooms').flush({ statusCode: 401, message: 'Unauthorized' }, { status: 401, statusText: 'Unauthorized' });
    await expect(result).rejects.toMatchObject({ status: 401 });
    expect(session.isLoggedIn()).toBe(false);
    expect(localStorage.getItem('chat.session')).toBeNull();
    expect(navigate).toHaveBeenCalledWith(['/login'], expect.anything());
  });

  it('reports a network failure as status 0', async () => {
    const result = api.cluster();
    http.expectOne('/api/cluster').error(new ProgressEvent('error'));
    await expect(result).rejects.toMatchObject({ status: 0 });
  });
});
