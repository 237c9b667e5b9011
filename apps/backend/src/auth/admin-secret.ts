import { generateSecret } from '@app/config';
import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BackendConfig } from '../config/backend.config';

/**
 * The secret of `POST /api/admin/login`: ADMIN_SECRET, or in development and tests one generated for
 * this run (main.ts prints it once at start, on the console, never in the log); in production
 * without ADMIN_SECRET there is no admin.
 */
@Injectable()
export class AdminSecret {
  /** SHA-256 of the secret, so comparisons take the same time whatever the guess's length. */
  private readonly digest: Buffer | null;
  /** The secret when this process made it up (development), for main.ts to print. */
  readonly generated: string | null;

  constructor(config: BackendConfig) {
    let secret = config.ADMIN_SECRET ?? null;
    this.generated = null;
    if (!secret && !config.production) {
      secret = generateSecret();
      this.generated = secret;
    }
    this.digest = secret ? sha256(secret) : null;
  }

  get configured(): boolean {
    return this.digest !== null;
  }

  matches(guess: string): boolean {
    return this.digest !== null && timingSafeEqual(this.digest, sha256(guess));
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
