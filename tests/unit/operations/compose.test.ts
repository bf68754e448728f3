// docker-compose.yml, the Dockerfile and docker/Caddyfile read as a reviewer would, since this
// machine has no Docker engine: a well-formed Compose file whose references all resolve, two
// server and two worker replicas of the compiled image behind the proxy, the servers trusting
// that proxy's address only, files in SeaweedFS rather than a shared volume, and a run stage
// with production dependencies only.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// js-yaml: installed with eslint (@eslint/eslintrc); no types of its own.
const { load } = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  depends_on?: Record<string, { condition: string }> | string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  configs?: Array<{ source: string; target: string }>;
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  deploy?: { replicas?: number };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: Array<{ subnet: string }> } } | null>;
}

/** Compose's `${NAME:-default}` interpolation, with every variable unset. */
function interpolate(text: string): string {
  return text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\$/g, '$');
}

const compose = load(interpolate(read('docker-compose.yml'))) as Compose;
const services = compose.services;
const networksOf = (s: Service) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

describe('docker-compose.yml', () => {
  it('refers only to services, volumes, configs and networks it declares', () => {
    for (const [name, service] of Object.entries(services)) {
      const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(services, `${name} depends on ${dep}`).toHaveProperty([dep]);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(() => read(source), `${name} mounts ${source}`).not.toThrow();
        else expect(compose.volumes, `${name} uses volume ${source}`).toHaveProperty([source]);
      }
      for (const config of service.configs ?? []) expect(compose.configs).toHaveProperty([config.source]);
      for (const network of networksOf(service)) expect(compose.networks).toHaveProperty([network]);
      expect(service.image ?? service.build, `${name} has an image`).toBeDefined();
    }
  });

  it('runs two servers and two workers of the compiled image, the servers behind the proxy only', () => {
    const server = services['guichet-server']!;
    const worker = services['guichet-worker']!;
    expect(server.deploy?.replicas).toBe(2);
    expect(worker.deploy?.replicas).toBe(2);
    expect(server.command).toEqual(['node', '--enable-source-maps', 'dist/http-server.js']);
    // The worker's node is started with its heap bounded from WORKER_MEMORY_MB, by a script the
    // image carries (scripts/start-worker.sh execs node dist/worker.js).
    expect(worker.command).toEqual(['sh', 'scripts/start-worker.sh']);
    expect(read('Dockerfile')).toContain('COPY scripts/start-worker.sh ./scripts/start-worker.sh');
    expect(read('scripts/start-worker.sh')).toMatch(
      /exec node --enable-source-maps --max-old-space-size=.*dist\/worker\.js/,
    );
    expect(server.ports ?? []).toEqual([]);
    expect(worker.ports ?? []).toEqual([]);
    const proxy = services.proxy!;
    expect(proxy.ports).toEqual(['8080:8080']);
    expect(proxy.volumes).toContain('./docker/Caddyfile:/etc/caddy/Caddyfile:ro');
  });

  it("has the servers trust the proxy's fixed address and nothing else", () => {
    const proxy = services.proxy!;
    const edge = (proxy.networks as Record<string, { ipv4_address?: string }>).edge!;
    const subnet = compose.networks!.edge!.ipam!.config![0]!.subnet;
    expect(subnet).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
    expect(edge.ipv4_address!.startsWith(subnet.replace(/0\/24$/, ''))).toBe(true);
    expect(services['guichet-server']!.environment!.TRUSTED_PROXIES).toBe(edge.ipv4_address);
    expect(networksOf(services['guichet-server']!)).toContain('edge');
  });

  it('keeps files in SeaweedFS and shares the session secret, with no shared volume', () => {
    for (const name of ['guichet-server', 'guichet-worker']) {
      const env = services[name]!.environment!;
      expect(env.STORAGE_URL).toBe('s3://guichet?endpoint=http://seaweedfs:8333&region=us-east-1');
      expect(env.S3_ACCESS_KEY_ID).toBeTruthy();
      expect(env.S3_SECRET_ACCESS_KEY).toBeTruthy();
      expect(env.STORAGE_DIR).toBeUndefined();
      expect(env.SESSION_SECRET!.length).toBeGreaterThanOrEqual(32);
      expect(services[name]!.volumes ?? []).toEqual([]);
      expect(services[name]!.depends_on).toHaveProperty(['seaweedfs-create-bucket']);
    }
    expect(services.seaweedfs!.command).toContain('-s3');
    const s3 = JSON.parse((compose.configs!['seaweedfs-s3'] as { content: string }).content) as {
      identities: Array<{ credentials: Array<{ accessKey: string; secretKey: string }> }>;
    };
    const env = services['guichet-server']!.environment!;
    expect(s3.identities[0]!.credentials[0]).toEqual({
      accessKey: env.S3_ACCESS_KEY_ID,
      secretKey: env.S3_SECRET_ACCESS_KEY,
    });
  });
});

describe('Dockerfile and Caddyfile', () => {
  it('builds in one stage and runs the compiled code with production dependencies only', () => {
    const stages = read('Dockerfile')
      .split(/^FROM /m)
      .slice(1);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/RUN npm run build/);
    expect(stages[1]).toMatch(/RUN npm ci --omit=dev/);
    expect(stages[1]).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(stages[1]).toMatch(/CMD \["node", "--enable-source-maps", "dist\/http-server\.js"\]/);
    expect(stages[1]).not.toMatch(/tsx/);
  });

  it('proxies to every server replica, sets the request id and refuses /metrics', () => {
    const caddy = read('docker/Caddyfile');
    expect(caddy).toMatch(/dynamic a \{\s*name guichet-server\s*port 8080/);
    expect(caddy).toMatch(/respond @metrics 404/);
    expect(caddy).toMatch(/@metrics path \/metrics/);
    expect(caddy).toMatch(/header_up X-Request-Id \{http\.request\.uuid\}/);
    let depth = 0;
    for (const c of caddy.replace(/\{[a-z.]+\}/g, '')) depth += c === '{' ? 1 : c === '}' ? -1 : 0;
    expect(depth).toBe(0);
  });
});
