// The Vilogi connector against the contract's simulator over real HTTP: pages, one request and
// its files, the two writes repeated without effect, and failures mapped to ConnectorError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { createVilogiClient, VILOGI_EVENT_MODEL, type VilogiClient } from '../../connectors/vilogi/index.js';
import { startVilogiSimulator, tinyPdf, type VilogiSimulator } from '../../connectors/vilogi/simulator.js';

let sim: VilogiSimulator;
let client: VilogiClient;

beforeAll(async () => {
  sim = await startVilogiSimulator({ apiKey: 'k3y', seed: 7 });
  client = createVilogiClient({ baseUrl: sim.url, apiKey: 'k3y', timeoutMs: 300, retryBaseDelayMs: 10 });
});

afterAll(async () => {
  await sim?.close();
});

async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('Vilogi client ↔ simulator', () => {
  it('lists pending requests page by page, in filing order, and reads one with its files', async () => {
    const first = sim.add({
      subject: 'Premier',
      author: { email: 'a@example.test', name: 'A' },
      building: 'Bât. A',
      lot: '3',
      service: 'gestion',
      body: 'Bonjour',
      attachments: [{ id: 'F1', fileName: 'bail.pdf', contentType: 'application/pdf', data: tinyPdf('bail') }],
    });
    for (let i = 0; i < 4; i++) sim.add({ subject: `Autre ${i}` });
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await client.listPending({ after, limit: 2 });
      expect(page.requests.length).toBeLessThanOrEqual(2);
      seen.push(...page.requests.map((r) => r.id));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toEqual(
      sim
        .all()
        .filter((r) => r.status === 'pending')
        .map((r) => r.id),
    );

    const request = await client.getRequest(first.id);
    expect(request).toMatchObject({
      id: first.id,
      authorEmail: 'a@example.test',
      authorName: 'A',
      building: 'Bât. A',
      lot: '3',
      service: 'gestion',
      subject: 'Premier',
      body: 'Bonjour',
      status: 'pending',
    });
    expect(request!.attachments).toEqual([
      { id: 'F1', fileName: 'bail.pdf', contentType: 'application/pdf', size: tinyPdf('bail').length },
    ]);
    expect((await text(await client.downloadAttachment(first.id, 'F1'))).equals(tinyPdf('bail'))).toBe(true);
    expect(await client.getRequest('VR-unknown')).toBeUndefined();
  });

  it('processes a notification once and posts a message once, however often asked', async () => {
    const r = sim.add({ subject: 'Traitement' });
    const one = await client.markProcessed(r.id, { eventModel: VILOGI_EVENT_MODEL, reference: 'redmine-issue-1' });
    const two = await client.markProcessed(r.id, { eventModel: VILOGI_EVENT_MODEL, reference: 'redmine-issue-1' });
    expect(two.eventId).toBe(one.eventId);
    expect(sim.get(r.id)!.processed).toMatchObject({
      eventModel: 'Espace client',
      reference: 'redmine-issue-1',
      times: 2,
    });
    expect((await client.listPending({ limit: 200 })).requests.map((x) => x.id)).not.toContain(r.id);

    const m1 = await client.postMessage(r.id, {
      reference: 'journal-1',
      author: 'Julien',
      from: 'staff',
      body: 'Réponse',
      sentAt: new Date(),
    });
    const m2 = await client.postMessage(r.id, {
      reference: 'journal-1',
      author: 'Julien',
      from: 'staff',
      body: 'Réponse',
      sentAt: new Date(),
    });
    expect(m2.messageId).toBe(m1.messageId);
    await client.postMessage(r.id, {
      reference: 'message-2',
      author: 'Claire Martin',
      from: 'client',
      body: 'Merci',
      sentAt: new Date(),
    });
    expect(sim.get(r.id)!.messages.map((m) => [m.from, m.body])).toEqual([
      ['staff', 'Réponse'],
      ['client', 'Merci'],
    ]);
  });

  it('maps a wrong key, an injected failure and a timeout to ConnectorErrors', async () => {
    const wrong = createVilogiClient({ baseUrl: sim.url, apiKey: 'nope', timeoutMs: 300 });
    await expect(wrong.listPending()).rejects.toMatchObject({ system: 'vilogi', code: 'unauthorized' });

    const r = sim.add({ subject: 'Pannes' });
    sim.setFaults({ failureRate: 1, timeoutRate: 0 });
    const failed = await client
      .markProcessed(r.id, { eventModel: VILOGI_EVENT_MODEL, reference: 'x' })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConnectorError);
    expect(failed).toMatchObject({ code: 'unavailable', status: 503 });
    expect(sim.get(r.id)!.status).toBe('pending');

    // A timed-out write may have been applied: the repeat finds it done.
    sim.setFaults({ failureRate: 0, timeoutRate: 1, hangMs: 1000 });
    await expect(client.markProcessed(r.id, { eventModel: VILOGI_EVENT_MODEL, reference: 'x' })).rejects.toMatchObject({
      code: 'timeout',
    });
    sim.setFaults({ timeoutRate: 0 });
    expect(sim.get(r.id)!.status).toBe('processed');
    const again = await client.markProcessed(r.id, { eventModel: VILOGI_EVENT_MODEL, reference: 'x' });
    expect(again.eventId).toBe(sim.get(r.id)!.processed!.eventId);
    expect(sim.stats().failuresInjected).toBeGreaterThanOrEqual(1);
    expect(sim.stats().timeoutsInjected).toBeGreaterThanOrEqual(1);
  });
});
