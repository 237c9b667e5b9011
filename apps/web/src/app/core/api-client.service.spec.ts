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

  it('asks for room summaries by id list and passes an admin token through untouched', async () => {
    session.signIn({ token: 'jwt-1', user: { id: 'u1', name: 'Ann' } });
    const summaries = api.roomSummaries(['a1', 'b2']);
    const req = http.expectOne('/api/rooms?ids=a1,b2');
    expect(req.request.method).toBe('GET');
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt-1');
    req.flush({ rooms: [] });
    await expect(summaries).resolves.toEqual({ rooms: [] });

    const cluster = api.cluster('admin-jwt');
    const admin = http.expectOne('/api/cluster');
    expect(admin.request.headers.get('Authorization')).toBe('Bearer admin-jwt');
    admin.flush({ statusCode: 401, message: 'Unauthorized' }, { status: 401, statusText: 'Unauthorized' });
    await expect(cluster).rejects.toMatchObject({ status: 401 });
    // A refused admin token is not the user's session ending.
    expect(session.isLoggedIn()).toBe(true);
  });

  it('says a bare 429 in words, with the wait from Retry-After', async () => {
    const result = api.createRoom('x');
    http
      .expectOne('/api/rooms')
      .flush(
        { statusCode: 429, message: 'ThrottlerException: Too Many Requests' },
        { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '30' } },
      );
    await expect(result).rejects.toEqual(new ApiError(429, 'Too many requests. Try again in 30 seconds.'));
  });

  it("logs in with the previous token; later calls carry the interceptor's token, not one kept from the login", async () => {
    const login = api.login('Ann', 'old-jwt');
    const req = http.expectOne('/api/login');
    expect(req.request.body).toBe(JSON.stringify({ name: 'Ann', previousToken: 'old-jwt' }));
    req.flush({ token: 'jwt-2', user: { id: 'u1', name: 'Ann' } });
    await login;
    session.signIn({ token: 'jwt-3', user: { id: 'u1', name: 'Ann' } });
    void api.roomSession('r1').catch(() => undefined);
    expect(http.expectOne('/api/rooms/r1').request.headers.get('Authorization')).toBe('Bearer jwt-3');
  });

  it('reports a network failure as status 0', async () => {
    const result = api.cluster();
    http.expectOne('/api/cluster').error(new ProgressEvent('error'));
    await expect(result).rejects.toMatchObject({ status: 0 });
  });
});
