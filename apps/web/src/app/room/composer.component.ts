import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, input, output, signal, untracked, viewChild } from '@angular/core';
import { tabStorage } from '../core/browser-storage';
import { checkMessageText, codePointLength } from '@app/shared';

/** Multi-line message box: Enter sends, Shift+Enter starts a new line. */
@Component({
  selector: 'app-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="composer" (submit)="$event.preventDefault(); submit()">
      <label class="visually-hidden" for="composer-text">Message</label>
      <textarea
        #area
        id="composer-text"
        name="text"
        rows="1"
        [value]="text()"
        [disabled]="disabled()"
        [attr.aria-invalid]="tooLong()"
        aria-describedby="composer-hint"
        placeholder="Write a message…"
        (input)="onInput($event)"
        (keydown)="onKeydown($event)"
      ></textarea>
      <button type="submit" class="primary" [disabled]="disabled() || !canSend()">Send</button>
    </form>
    <p id="composer-hint" class="hint" [class.error]="problem()">
      @if (problem(); as p) {
        {{ p }}
      } @else if (nearLimit()) {
        {{ length() }} / {{ maxLength() }}
      } @else {
        Enter to send, Shift+Enter for a new line
      }
    </p>
  `,
  styleUrl: './composer.component.css',
})
export class ComposerComponent {
  readonly maxLength = input(4000);
  readonly disabled = input(false);
  /** Where this tab keeps the half-typed message (per room): a reload must not lose it. None: not kept. */
  readonly draftKey = input<string | null>(null);
  /** Emits a valid text; the parent queues it. */
  readonly submitted = output<string>();
  /** Emits on each edit; the connection throttles what goes out. */
  readonly typing = output<void>();

  private readonly area = viewChild.required<ElementRef<HTMLTextAreaElement>>('area');
  protected readonly text = signal('');
  protected readonly problem = signal<string | null>(null);
  protected readonly length = computed(() => codePointLength(this.text()));
  protected readonly tooLong = computed(() => this.length() > this.maxLength());
  protected readonly nearLimit = computed(() => this.length() > this.maxLength() * 0.9);
  protected readonly canSend = computed(() => checkMessageText(this.text(), this.maxLength()).ok);

  constructor() {
    effect(() => {
      const key = this.draftKey();
      const draft = key ? tabStorage.get(key) : null;
      untracked(() => this.text.set(draft ?? ''));
    });
  }

  protected onInput(event: Event): void {
    const area = event.target as HTMLTextAreaElement;
    this.text.set(area.value);
    this.keepDraft(area.value);
    this.problem.set(this.tooLong() ? `Messages are limited to ${this.maxLength()} characters` : null);
    this.autosize(area);
    if (area.value.trim()) this.typing.emit();
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.submit();
  }

  protected submit(): void {
    const text = this.text();
    const check = checkMessageText(text, this.maxLength());
    if (!check.ok) {
      // An empty Enter is not worth a message; anything else is.
      this.problem.set(text.trim() ? check.reason : null);
      return;
    }
    this.submitted.emit(text);
    this.text.set('');
    this.keepDraft('');
    this.problem.set(null);
    // Shrink back at once rather than after the next render.
    const area = this.area().nativeElement;
    area.value = '';
    this.autosize(area);
  }

  private keepDraft(text: string): void {
    const key = this.draftKey();
    if (!key) return;
    if (text) tabStorage.set(key, text);
    else tabStorage.remove(key);
  }

  private autosize(area: HTMLTextAreaElement): void {
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 200)}px`;
  }
}
