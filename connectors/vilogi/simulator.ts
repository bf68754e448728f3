// A SIMULATOR of the Vilogi extranet gateway contract (docs/vilogi-contract.md), for development,
// the demo and tests: Vilogi publishes no API, a real deployment points VILOGI_URL at its own
// gateway. It keeps requests in memory and can inject latency, failures (503 before anything is
// done) and timeouts (the answer never comes in time; a write is applied first, as when a real
// answer is lost on the way back).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export interface SimulatedAttachment {
  id: string;
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface SimulatedRequest {
  id: string;
  seq: number;
  filedAt: Date;
  author: { email: string | null; name: string };
  building: string | null;
  lot: string | null;
  service: string;
  subject: string;
  body: string;
  status: 'pending' | 'processed';
  attachments: SimulatedAttachment[];
  processed?: {
    eventId: string;
    eventModel: string;
    reference: string;
    comment?: string | undefined;
    processedAt: Date;
    times: number;
  };
  messages: {
    messageId: string;
    reference: string;
    author: string;
    from: 'staff' | 'client';
    body: string;
    sentAt: string;
  }[];
}

export type NewSimulatedRequest = Partial<
  Omit<SimulatedRequest, 'seq' | 'status' | 'messages' | 'processed' | 'author'>
> & {
  author?: { email: string | null; name: string };
  subject: string;
};

export interface SimulatorFaults {
  /** Share of calls answered 503 without doing anything (0…1). */
  failureRate?: number;
  /** Share of calls whose answer comes only after `hangMs` (0…1): the client times out. */
  timeoutRate?: number;
  /** Added to every call. */
  latencyMs?: number;
  /** How long a "timed out" call hangs. Default 30 s. */
  hangMs?: number;
}

export interface SimulatorOptions extends SimulatorFaults {
  port?: number;
  host?: string;
  /** Bearer token required when set. */
  apiKey?: string;
  /** Seed of the fault dice, for reproducible runs. */
  seed?: number;
  /** Prefix of the ids it gives (`VR-` by default): tests sharing one database use their own. */
  idPrefix?: string;
  requests?: NewSimulatedRequest[];
}

export interface SimulatorStats {
  calls: Record<string, number>;
  failuresInjected: number;
  timeoutsInjected: number;
}

export interface VilogiSimulator {
  url: string;
  app: FastifyInstance;
  add(request: NewSimulatedRequest): SimulatedRequest;
  get(id: string): SimulatedRequest | undefined;
  all(): SimulatedRequest[];
  setFaults(faults: SimulatorFaults): void;
  stats(): SimulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}

/** A small seeded generator (mulberry32): the same seed gives the same faults. */
function dice(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = '/api/v1/extranet-requests';

// Long as a whole: one HTTP server whose routes share the simulated state.
export async function startVilogiSimulator(options: SimulatorOptions = {}): Promise<VilogiSimulator> {
  const store = new Map<string, SimulatedRequest>();
  let seq = 0;
  let faults: Required<SimulatorFaults> = { failureRate: 0, timeoutRate: 0, latencyMs: 0, hangMs: 30_000 };
  const roll = dice(options.seed ?? 1);
  let stats: SimulatorStats = { calls: {}, failuresInjected: 0, timeoutsInjected: 0 };

  const setFaults = (f: SimulatorFaults) => {
    faults = {
      failureRate: f.failureRate ?? faults.failureRate,
      timeoutRate: f.timeoutRate ?? faults.timeoutRate,
      latencyMs: f.latencyMs ?? faults.latencyMs,
      hangMs: f.hangMs ?? faults.hangMs,
    };
  };
  setFaults(options);

  const add = (r: NewSimulatedRequest): SimulatedRequest => {
    seq += 1;
    const id = r.id ?? `${options.idPrefix ?? 'VR-'}${String(seq).padStart(6, '0')}`;
    const request: SimulatedRequest = {
      id,
      seq,
      filedAt: r.filedAt ?? new Date(),
      author: r.author ?? { email: null, name: '' },
      building: r.building ?? null,
      lot: r.lot ?? null,
      service: r.service ?? 'gestion',
      subject: r.subject,
      body: r.body ?? '',
      status: 'pending',
      attachments: r.attachments ?? [],
      messages: [],
    };
    store.set(id, request);
    return request;
  };
  for (const r of options.requests ?? []) add(r);

  // forceCloseConnections: close() does not wait for the calls left hanging on purpose.
  const app = Fastify({ logger: false, forceCloseConnections: true });

  type Fault = 'none' | 'fail' | 'hang';
  /** Counts the call, adds latency, and decides its fault. */
  async function enter(route: string, request: FastifyRequest, reply: FastifyReply): Promise<Fault | 'refused'> {
    stats.calls[route] = (stats.calls[route] ?? 0) + 1;
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      await reply.code(401).send({ error: 'unauthorized' });
      return 'refused';
    }
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const r = roll();
    if (r < faults.failureRate) {
      stats.failuresInjected++;
      await reply.code(503).send({ error: 'simulated failure' });
      return 'fail';
    }
    if (r < faults.failureRate + faults.timeoutRate) {
      stats.timeoutsInjected++;
      return 'hang';
    }
    return 'none';
  }

  async function answer(reply: FastifyReply, fault: Fault, status: number, body: unknown): Promise<FastifyReply> {
    if (fault === 'hang') await sleep(faults.hangMs);
    return reply.code(status).send(body);
  }

  const view = (r: SimulatedRequest) => ({
    id: r.id,
    filedAt: r.filedAt.toISOString(),
    author: r.author,
    building: r.building,
    lot: r.lot,
    service: r.service,
    subject: r.subject,
    body: r.body,
    status: r.status,
    attachments: r.attachments.map((a) => ({
      id: a.id,
      fileName: a.fileName,
      contentType: a.contentType,
      size: a.data.length,
    })),
  });

  app.get<{ Querystring: { status?: string; after?: string; limit?: string } }>(BASE, async (request, reply) => {
    const fault = await enter('list', request, reply);
    if (fault === 'fail' || fault === 'refused') return reply;
    const after = request.query.after
      ? Number.parseInt(Buffer.from(request.query.after, 'base64url').toString(), 10) || 0
      : 0;
    const limit = Math.max(1, Math.min(Number.parseInt(request.query.limit ?? '100', 10) || 100, 200));
    const pending = [...store.values()]
      .filter((r) => r.status === 'pending' && r.seq > after)
      .sort((a, b) => a.seq - b.seq);
    const page = pending.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = pending.length > limit && last ? Buffer.from(String(last.seq)).toString('base64url') : null;
    return answer(reply, fault, 200, {
      requests: page.map((r) => ({ id: r.id, filedAt: r.filedAt.toISOString() })),
      nextCursor,
    });
  });

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, async (request, reply) => {
    const fault = await enter('get', request, reply);
    if (fault === 'fail' || fault === 'refused') return reply;
    const r = store.get(request.params.id);
    if (!r) return answer(reply, fault, 404, { error: 'no such request' });
    return answer(reply, fault, 200, { request: view(r) });
  });

  app.get<{ Params: { id: string; attachmentId: string } }>(
    `${BASE}/:id/attachments/:attachmentId`,
    async (request, reply) => {
      const fault = await enter('attachment', request, reply);
      if (fault === 'fail' || fault === 'refused') return reply;
      const a = store.get(request.params.id)?.attachments.find((x) => x.id === request.params.attachmentId);
      if (!a) return answer(reply, fault, 404, { error: 'no such attachment' });
      if (fault === 'hang') await sleep(faults.hangMs);
      return reply.code(200).header('content-type', 'application/octet-stream').send(a.data);
    },
  );

  app.post<{ Params: { id: string }; Body: { eventModel?: string; reference?: string; comment?: string } }>(
    `${BASE}/:id/process`,
    async (request, reply) => {
      const fault = await enter('process', request, reply);
      if (fault === 'fail' || fault === 'refused') return reply;
      const r = store.get(request.params.id);
      if (!r) return answer(reply, fault, 404, { error: 'no such request' });
      const { eventModel, reference, comment } = request.body ?? {};
      if (!eventModel || !reference)
        return answer(reply, fault, 422, { errors: ['eventModel and reference are required'] });
      if (r.processed) {
        r.processed.times++;
      } else {
        r.processed = {
          eventId: `EV-${randomUUID()}`,
          eventModel,
          reference,
          comment,
          processedAt: new Date(),
          times: 1,
        };
        r.status = 'processed';
      }
      return answer(reply, fault, 200, {
        eventId: r.processed.eventId,
        processedAt: r.processed.processedAt.toISOString(),
      });
    },
  );

  app.post<{
    Params: { id: string };
    Body: { reference?: string; author?: string; from?: string; body?: string; sentAt?: string };
  }>(`${BASE}/:id/messages`, async (request, reply) => {
    const fault = await enter('message', request, reply);
    if (fault === 'fail' || fault === 'refused') return reply;
    const r = store.get(request.params.id);
    if (!r) return answer(reply, fault, 404, { error: 'no such request' });
    const { reference, author, from, body, sentAt } = request.body ?? {};
    if (!reference || !body) return answer(reply, fault, 422, { errors: ['reference and body are required'] });
    if (from !== undefined && from !== 'staff' && from !== 'client')
      return answer(reply, fault, 422, { errors: ['from must be "staff" or "client"'] });
    const existing = r.messages.find((m) => m.reference === reference);
    if (existing) return answer(reply, fault, 200, { messageId: existing.messageId });
    const message = {
      messageId: `MSG-${randomUUID()}`,
      reference,
      author: author ?? '',
      from: from === 'client' ? ('client' as const) : ('staff' as const),
      body,
      sentAt: sentAt ?? new Date().toISOString(),
    };
    r.messages.push(message);
    return answer(reply, fault, 201, { messageId: message.messageId });
  });

  // The simulator's own controls (not part of the contract): file a request, read the state.
  app.post<{ Body: NewSimulatedRequest }>('/_simulator/requests', async (request, reply) => {
    const body = request.body;
    if (!body || typeof body.subject !== 'string') return reply.code(422).send({ errors: ['subject is required'] });
    const created = add({ ...body, filedAt: new Date(), attachments: [] });
    return reply.code(201).send({ request: view(created) });
  });
  app.get('/_simulator/requests', () => ({
    requests: [...store.values()].map((r) => ({ ...view(r), processed: r.processed ?? null, messages: r.messages })),
  }));

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    add,
    get: (id) => store.get(id),
    all: () => [...store.values()].sort((a, b) => a.seq - b.seq),
    setFaults,
    stats: () => ({
      calls: { ...stats.calls },
      failuresInjected: stats.failuresInjected,
      timeoutsInjected: stats.timeoutsInjected,
    }),
    resetStats: () => {
      stats = { calls: {}, failuresInjected: 0, timeoutsInjected: 0 };
    },
    close: () => app.close(),
  };
}

/** A tiny valid PDF (one page with the text, a true cross-reference table), for demo attachments. */
export function tinyPdf(text: string): Buffer {
  const safe = text.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, ' ');
  const content = `BT /F1 24 Tf 72 720 Td (${safe}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The requests the run command files in the simulator when no VILOGI_URL is configured. */
export function demoRequests(knownClientEmail: string): NewSimulatedRequest[] {
  return [
    {
      author: { email: knownClientEmail, name: 'Claire Martin' },
      building: 'Résidence Les Tilleuls',
      lot: 'Lot 12',
      service: 'gestion',
      subject: 'Fuite sous l’évier de la cuisine',
      body: 'Bonjour,\nune fuite est apparue sous l’évier depuis ce matin. Pouvez-vous envoyer un plombier ?\nMerci.',
      attachments: [
        { id: 'A1', fileName: 'photo-fuite.pdf', contentType: 'application/pdf', data: tinyPdf('photo fuite') },
      ],
    },
    {
      author: { email: 'paul.durand@demo.guichet.test', name: 'Paul Durand' },
      building: 'Le Clos Fleuri',
      lot: 'Lot 4',
      service: 'copropriete',
      subject: 'Date de la prochaine assemblée générale',
      body: 'Bonjour,\nquand aura lieu la prochaine assemblée générale ?\nCordialement.',
    },
    {
      author: { email: null, name: 'Locataire inconnu' },
      building: 'Résidence Les Tilleuls',
      lot: null,
      service: 'gestion',
      subject: 'Interphone en panne',
      body: 'L’interphone du bâtiment B ne fonctionne plus.',
    },
  ];
}
