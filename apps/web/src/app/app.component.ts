import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AuthSession } from './core/auth-session';

@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="topbar">
      <a routerLink="/" class="brand">
        <svg aria-hidden="true" width="22" height="22" viewBox="0 0 32 32">
          <rect width="32" height="32" rx="7" fill="currentColor" />
          <path d="M8 10h16v10H14l-4 4v-4H8z" fill="#fff" />
        </svg>
        <span class="brand-text">Rooms</span>
      </a>
      @if (session.user(); as user) {
        <nav aria-label="Main">
          <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">Lobby</a>
          <a routerLink="/cluster" routerLinkActive="active">Cluster</a>
        </nav>
        <div class="user">
          <span class="user-name" data-testid="current-user">{{ user.name }}</span>
          <button type="button" class="secondary small" (click)="signOut()">Log out</button>
        </div>
      }
    </header>
    <main id="main" tabindex="-1">
      <router-outlet />
    </main>
  `,
  styleUrl: './app.component.css',
})
export class AppComponent {
  protected readonly session = inject(AuthSession);
  private readonly router = inject(Router);

  protected signOut(): void {
    this.session.signOut();
    void this.router.navigate(['/login']);
  }
}
