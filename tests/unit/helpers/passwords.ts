// Password hashes for fixtures, in Guichet's stored format (domain/passwords.ts) but with a low
// scrypt cost: verifyPassword reads the cost from the hash, so an account made with one signs in
// with the real verification in milliseconds instead of a second or more on a busy machine.
import { randomBytes, scryptSync } from 'node:crypto';

const N = 1024;

export function quickHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, { N, r: 8, p: 1 });
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}
