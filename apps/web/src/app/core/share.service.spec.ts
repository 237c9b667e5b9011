import { TestBed } from '@angular/core/testing';
import { ShareService } from './share.service';

describe('ShareService', () => {
  const data = { title: 'Friday standup', url: 'http://localhost/rooms/abcd1234' };
  // jsdom has no Web Share API: the tests add it, as a browser that has one would.
  const nav = navigator as unknown as { share?: unknown; canShare?: unknown };

  afterEach(() => {
    delete nav.share;
    delete nav.canShare;
  });

  function withShare(share: jest.Mock, canShare?: jest.Mock): ShareService {
    Object.assign(nav, { share, ...(canShare ? { canShare } : {}) });
    return TestBed.inject(ShareService);
  }

  it('is unsupported without navigator.share, or when canShare refuses the data', async () => {
    expect(await TestBed.inject(ShareService).share(data)).toBe('unsupported');
    TestBed.resetTestingModule();
    const share = jest.fn();
    expect(await withShare(share, jest.fn().mockReturnValue(false)).share(data)).toBe('unsupported');
    expect(share).not.toHaveBeenCalled();
  });

  it('passes the data to the share sheet and tells a closed sheet from a failure', async () => {
    const share = jest.fn().mockResolvedValue(undefined);
    const service = withShare(share);
    expect(await service.share(data)).toBe('shared');
    expect(share).toHaveBeenCalledWith(data);
    share.mockRejectedValueOnce(new DOMException('closed', 'AbortError'));
    expect(await service.share(data)).toBe('cancelled');
    share.mockRejectedValueOnce(new DOMException('no user gesture', 'NotAllowedError'));
    expect(await service.share(data)).toBe('failed');
  });
});
