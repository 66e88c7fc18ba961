import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../test/helpers/env.js';
import { ConfigError, loadConfig, parseConfig } from './config.js';

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ port: 8080, workerMetricsPort: undefined, databaseUrl: undefined, redisUrl: 'redis://127.0.0.1:6379', rpId: 'localhost', rpOrigin: 'http://localhost:8080', logLevel: 'info', production: false });
    expect(c.dataDir).toBe(path.resolve('.data'));
    expect(c.policyBundle).toBe(path.resolve('dist/bundle.tar.gz'));
    expect(c.policyBundlePublicKey).toBeUndefined();
  });

  it('serves the bundle named by POLICY_BUNDLE, checked with POLICY_BUNDLE_PUBLIC_KEY', () => {
    const c = parseConfig({ POLICY_BUNDLE: 'candidate.tar.gz', POLICY_BUNDLE_PUBLIC_KEY: 'keys/policy.pub.pem' });
    expect([c.policyBundle, c.policyBundlePublicKey]).toEqual([path.resolve('candidate.tar.gz'), 'keys/policy.pub.pem']);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['WORKER_METRICS_PORT', { WORKER_METRICS_PORT: '9464x' }],
    ['WORKER_METRICS_PORT', { WORKER_METRICS_PORT: '65536' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
    ['RP_ID', { RP_ID: 'bad id!' }],
    ['RP_ORIGIN', { RP_ID: 'example.com', RP_ORIGIN: 'https://evil.test' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['ID_SECRET', { ID_SECRET: 'short' }],
    ['ID_SECRET', { NODE_ENV: 'production', POLICY_BUNDLE_PUBLIC_KEY: 'policy.pub.pem' }],
    ['POLICY_BUNDLE_PUBLIC_KEY', { NODE_ENV: 'production', ID_SECRET: 's'.repeat(40) }],
  ])('rejects a bad %s, naming the variable', (variable, env) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    try {
      parseConfig(env);
    } catch (err) {
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message.startsWith(`${variable}: `)).toBe(true);
    }
  });

  it('never echoes a database password in an error', () => {
    expect(() => parseConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' })).toThrow(/must use postgres: or postgresql:/);
    try {
      parseConfig({ DATABASE_URL: 'ht tp://admin:hunter2@db/x' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('accepts a relying-party origin on a subdomain of RP_ID', () => {
    expect(parseConfig({ RP_ID: 'enigm.example', RP_ORIGIN: 'https://trust.enigm.example/' }).rpOrigin).toBe('https://trust.enigm.example');
  });

  it('generates an ID secret once outside production and keeps it in DATA_DIR', () => {
    const tmp = tempDir();
    const first = loadConfig({ DATA_DIR: tmp.dir });
    const second = loadConfig({ DATA_DIR: tmp.dir });
    expect(first.idSecret).toBeDefined();
    expect(first.idSecret!.length).toBeGreaterThanOrEqual(32);
    expect(second.idSecret).toBe(first.idSecret);
    expect(readFileSync(path.join(tmp.dir, 'id_secret'), 'utf8').trim()).toBe(first.idSecret);
    expect(statSync(path.join(tmp.dir, 'id_secret')).mode & 0o077).toBe(0);
    tmp.remove();
  });

  it('uses the configured ID secret and writes nothing', () => {
    const tmp = tempDir();
    const secret = 'x'.repeat(40);
    expect(loadConfig({ DATA_DIR: tmp.dir, ID_SECRET: secret, NODE_ENV: 'production', POLICY_BUNDLE_PUBLIC_KEY: 'policy.pub.pem' }).idSecret).toBe(secret);
    expect(() => statSync(path.join(tmp.dir, 'id_secret'))).toThrow();
    tmp.remove();
  });
});
