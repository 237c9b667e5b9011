import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { ComposerComponent } from './composer.component';

describe('ComposerComponent', () => {
  let fixture: ComponentFixture<ComposerComponent>;
  let area: HTMLTextAreaElement;
  let submitted: string[];
  let typing: number;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [ComposerComponent] });
    fixture = TestBed.createComponent(ComposerComponent);
    fixture.componentRef.setInput('maxLength', 10);
    submitted = [];
    typing = 0;
    fixture.componentInstance.submitted.subscribe((t) => submitted.push(t));
    fixture.componentInstance.typing.subscribe(() => typing++);
    await fixture.whenStable();
    area = (fixture.nativeElement as HTMLElement).querySelector('textarea')!;
  });

  async function type(value: string): Promise<void> {
    area.value = value;
    area.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }

  function press(init: KeyboardEventInit): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { key: 'Enter', cancelable: true, ...init });
    area.dispatchEvent(event);
    return event;
  }

  it('sends on Enter and clears the box', async () => {
    await type('hi there');
    expect(typing).toBe(1);
    const event = press({});
    await fixture.whenStable();
    expect(event.defaultPrevented).toBe(true);
    expect(submitted).toEqual(['hi there']);
    expect(area.value).toBe('');
  });

  it('keeps Shift+Enter for a new line', async () => {
    await type('line one');
    const event = press({ shiftKey: true });
    expect(event.defaultPrevented).toBe(false);
    expect(submitted).toEqual([]);
  });

  it('does not send only whitespace, and explains a too-long text', async () => {
    await type('   ');
    press({});
    expect(submitted).toEqual([]);
    await type('x'.repeat(11));
    press({});
    await fixture.whenStable();
    expect(submitted).toEqual([]);
    expect((fixture.nativeElement as HTMLElement).querySelector('.hint.error')?.textContent).toContain('10 characters');
  });

  it('keeps a half-typed message for its room across a reload, and forgets it once sent', async () => {
    fixture.componentRef.setInput('draftKey', 'chat.draft.r1');
    await fixture.whenStable();
    await type('half');
    expect(sessionStorage.getItem('chat.draft.r1')).toBe('half');

    const reloaded = TestBed.createComponent(ComposerComponent);
    reloaded.componentRef.setInput('draftKey', 'chat.draft.r1');
    await reloaded.whenStable();
    expect((reloaded.nativeElement as HTMLElement).querySelector('textarea')!.value).toBe('half');

    press({});
    await fixture.whenStable();
    expect(sessionStorage.getItem('chat.draft.r1')).toBeNull();
  });
});
