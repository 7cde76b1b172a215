import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';

describe('configuration', () => {
  it('has defaults that need nothing set: embedded database, demo on, port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, demo: true, jwtSecret: undefined });
    expect(config.dataDir).toBe(path.resolve('./data'));
  });

  it('turns demo off by default with an external database, and lets DEMO override either way', () => {
    const url = 'postgres://u:p@db.example:5432/yard';
    expect(loadConfig({ DATABASE_URL: url }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: url, DEMO: 'on' }).demo).toBe(true);
    expect(loadConfig({ DEMO: 'false' }).demo).toBe(false);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('reports every bad value at once, each with its variable and what is expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short', DEMO: 'maybe', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT: must be a whole number from 0 to 65535');
    expect(problems).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(problems).toContain('JWT_SECRET: must be at least 32 characters');
    expect(problems).toContain('DEMO: must be one of true/false');
    expect(problems).toContain('LOG_LEVEL:');
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: must be a whole number from 0 to 65535/);
  });
});

describe('TRUST_PROXY', () => {
  it('is off unless set: X-Forwarded-For is nobody\'s word', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it('takes a number of proxies, or their addresses, CIDR ranges and Express\'s names', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8 ,fd00::/8,192.168.1.7' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
  });

  it.each(['true', 'everyone', '10.0.0.0/33', '300.1.1.1', '0', ','])('refuses %j, saying what it takes', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: must be the number of proxies in front/);
  });
});

describe('logs', () => {
  it('never contain passwords, tokens, hashes or the database URL', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info(
      {
        password: 'hunter2-password',
        user: { passwordHash: '$argon2id$secret-hash', refreshToken: 'refresh-secret' },
        session: { accessToken: 'access-secret' },
        config: { databaseUrl: 'postgres://u:db-secret@h/d', jwtSecret: 'jwt-secret-value' },
        req: { headers: { authorization: 'Bearer bearer-secret', cookie: 'sid=cookie-secret' } },
      },
      'something happened',
    );
    const written = lines.join('');
    expect(written).toContain('something happened');
    for (const secret of ['hunter2', 'secret-hash', 'refresh-secret', 'access-secret', 'db-secret', 'jwt-secret-value', 'bearer-secret', 'cookie-secret']) {
      expect(written).not.toContain(secret);
    }
    expect(written).toContain('[redacted]');
  });
});
