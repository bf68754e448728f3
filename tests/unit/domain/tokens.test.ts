// Tokens of links sent by e-mail: random, URL-safe, and kept only as a digest.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newToken, tokenDigest } from '../../../domain/tokens.js';

describe('tokens', () => {
  it('are 256 random bits in URL-safe base64', () => {
    const tokens = Array.from({ length: 50 }, () => newToken());
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('are stored as their SHA-256 digest, never as themselves', () => {
    const token = newToken();
    const digest = tokenDigest(token);
    expect(digest).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(digest).not.toBe(token);
    expect(tokenDigest(token)).toBe(digest);
    expect(tokenDigest(`${token}x`)).not.toBe(digest);
  });
});
