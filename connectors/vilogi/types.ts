// Our own types for the Vilogi extranet contract (docs/vilogi-contract.md). Vilogi's JSON shapes
// stay in client.ts.
import type { Readable } from 'node:stream';

/** The event model that makes the exchange visible in Vilogi (seed 004). */
export const VILOGI_EVENT_MODEL = 'Espace client';

export interface VilogiRequestRef {
  id: string;
  filedAt: Date;
}

export interface VilogiPage {
  requests: VilogiRequestRef[];
  /** Give it back as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface VilogiAttachmentRef {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
}

export interface VilogiRequest {
  id: string;
  filedAt: Date;
  /** As Vilogi has it: may be missing or not an address at all. */
  authorEmail: string | null;
  authorName: string;
  building: string | null;
  lot: string | null;
  /** The Vilogi service (gestion, copropriété, location…): picks the Redmine project. */
  service: string;
  subject: string;
  body: string;
  status: 'pending' | 'processed';
  attachments: VilogiAttachmentRef[];
}

export interface ProcessInput {
  eventModel: string;
  /** Our reference (the Redmine issue or the conversation): a repeat with it changes nothing. */
  reference: string;
  comment?: string;
}

export interface ProcessResult {
  eventId: string;
  processedAt: Date;
}

export interface PostMessageInput {
  /** Our idempotency key: posting twice with it makes one message. */
  reference: string;
  author: string;
  /** Who wrote it: staff (an answer) or the client (a follow-up written in the client space). */
  from: 'staff' | 'client';
  body: string;
  sentAt: Date;
}

export interface VilogiClient {
  /** Pending extranet requests in filing order, after the cursor (from the start without one). */
  listPending(options?: { after?: string | undefined; limit?: number }): Promise<VilogiPage>;
  /** One request; undefined when Vilogi does not know it (any more). */
  getRequest(id: string): Promise<VilogiRequest | undefined>;
  /** An attachment's bytes, streamed. */
  downloadAttachment(requestId: string, attachmentId: string): Promise<Readable>;
  /** Processes the notification with an event model; repeating it is harmless. */
  markProcessed(id: string, input: ProcessInput): Promise<ProcessResult>;
  /** Posts a message on the request, shown in Vilogi; repeating a reference is harmless. */
  postMessage(id: string, input: PostMessageInput): Promise<{ messageId: string }>;
}

export interface VilogiClientOptions {
  baseUrl: string;
  /** Sent as a bearer token. */
  apiKey?: string | undefined;
  /** Per call. Default 10 s. */
  timeoutMs?: number;
  retries?: number;
  retryBaseDelayMs?: number;
}
