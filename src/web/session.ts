import type { User } from './api.ts';

/** Who is logged in, for pages that adapt to the role (a viewer reads but does not write). */
let current: User | null = null;

export function currentUser(): User | null {
  return current;
}

export function setCurrentUser(user: User | null): void {
  current = user;
}

/** Viewers are read-only; every other role may write data. */
export function canWrite(user: User | null): boolean {
  return user !== null && user.role !== 'viewer';
}
