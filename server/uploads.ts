// Multipart forms: a message and its files, each file streamed to a private spool file on local
// disk (10 MB and one byte at most, counted and hashed on the way; app/inspection/spool.ts), judged
// by the one inspection (whose thread reads the spool file), then streamed from the spool file into
// storage, and the spool file removed whatever happened. This process never holds a whole file.
//
// The CSRF check is a preHandler that reads `request.body._csrf`. For a multipart request,
// `readFormFields` (a preHandler placed before it) reads the text fields up to the first file
// and makes them the body; the form carries its token before its file input, so the check sees
// it, and a request without a valid token is refused before a single byte of a file is stored.
// A token sent after the files is not seen: such a request is refused. The route handler then
// calls `receiveFiles`, after its own checks (session, ownership), to pass each file through the
// one inspection (app/inspection) into storage. Whatever a route leaves unread is drained
// once the reply is sent (`drainUnreadForm`), so that the connection stays usable.
import type { Readable } from 'node:stream';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FileStorage } from '../app/file-storage.js';
import type { Messages } from '../i18n/index.js';
import { MAX_FILE_BYTES, MAX_FILES_PER_MESSAGE, checkName, refusalMessage, type FileRefusal } from '../domain/files.js';
import {
  inspectSpooled,
  isRefusal,
  spoolStream,
  type InspectOptions,
  type InspectedSpoolFile,
  type Spool,
} from '../app/inspection/index.js';
import type { StoredObject } from '../connectors/storage/index.js';

/** The file input's name. */
export const FILE_FIELD = 'files';

/** Busboy's limits for every multipart request. */
export const MULTIPART_LIMITS = {
  fieldNameSize: 100,
  // A message is at most 20,000 characters, up to 4 bytes each in UTF-8.
  fieldSize: 100 * 1024,
  fields: 20,
  files: MAX_FILES_PER_MESSAGE,
  // One byte over the limit reaches the inspection, which refuses it; busboy skips the rest.
  fileSize: MAX_FILE_BYTES + 1,
  parts: 40,
  headerPairs: 100,
};

export interface ReceivedFile {
  /** The name as shown (see files.ts displayName). */
  fileName: string;
  /** From the bytes, never from what the browser claimed. */
  contentType: string;
  storageKey: string;
  sha256: string;
  sizeBytes: number;
  /** Pages of a PDF, when the route's checks counted them. */
  pageCount?: number;
}

/** What a route narrows in the one inspection (the logo: its kinds and 1 MB). */
export type ReceiveOptions = InspectOptions;

export interface ReceivedFiles {
  files: ReceivedFile[];
  refusals: FileRefusal[];
  /** Files the person chose (stored or refused). */
  attempted: number;
}

interface PendingForm {
  parts: AsyncIterator<Multipart>;
  fields: Record<string, string>;
  /** The first file, not read yet. */
  pending: MultipartFile | undefined;
  done: boolean;
}

const forms = new WeakMap<FastifyRequest, PendingForm>();

/** A multipart body that cannot be read (no boundary, cut short, over a limit): a 400 page. */
export const BAD_FORM = 'BAD_FORM';

function badForm(err: unknown): Error {
  const status = (err as { statusCode?: unknown }).statusCode;
  return Object.assign(new Error('unreadable multipart form', { cause: err }), {
    statusCode: status === 413 ? 413 : 400,
    code: BAD_FORM,
  });
}

/** Reads and discards what is left of a stream, without destroying it (busboy needs it read). */
function drain(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => resolve();
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
    stream.resume();
  });
}

/** The next file part worth reading; text fields met on the way go into the body. */
async function nextFile(form: PendingForm): Promise<MultipartFile | undefined> {
  for (;;) {
    const step = await form.parts.next();
    if (step.done) {
      form.done = true;
      return undefined;
    }
    const part = step.value;
    if (part.type === 'field') {
      if (typeof part.value === 'string' && !(part.fieldname in form.fields)) form.fields[part.fieldname] = part.value;
      continue;
    }
    // An empty file input still sends a part, with no name and no bytes.
    if (part.fieldname !== FILE_FIELD || part.filename === '') {
      await drain(part.file);
      continue;
    }
    return part;
  }
}

/** preHandler: a multipart request's text fields, up to its first file, become its body. */
export async function readFormFields(request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) return;
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  request.body = fields;
  let form: PendingForm | undefined;
  try {
    form = {
      parts: request.parts({ limits: MULTIPART_LIMITS })[Symbol.asyncIterator](),
      fields,
      pending: undefined,
      done: false,
    };
    forms.set(request, form);
    form.pending = await nextFile(form);
  } catch (err) {
    if (form) form.done = true;
    request.raw.resume();
    throw badForm(err);
  }
}

/**
 * Storage writes in progress at once in this process. The S3 connector buffers a multipart
 * upload's parts (5 MB each, two for a 10 MB file) while it sends them: twenty deposits written
 * at once held some 200 MB. Waiting costs nothing else: each file waits in its spool file.
 */
const STORAGE_WRITES = 2;
let writing = 0;
const waitingWrites: Array<() => void> = [];

async function putLimited(storage: FileStorage, file: InspectedSpoolFile): Promise<StoredObject> {
  if (writing >= STORAGE_WRITES) await new Promise<void>((resolve) => waitingWrites.push(resolve));
  writing++;
  try {
    return await storage.put(file);
  } finally {
    writing--;
    waitingWrites.shift()?.();
  }
}

export type Outcome = { file: ReceivedFile } | { refusal: FileRefusal };

/**
 * One file: spooled (at most the limit and one byte), inspected, streamed into storage only if it
 * passed. The spool file is removed in every case: stored, refused, failed, or cut short.
 */
function storeOne(part: MultipartFile, storage: FileStorage, options: ReceiveOptions): Promise<Outcome> {
  return receiveStream(part.filename, part.file, storage, options);
}

/**
 * One file's bytes as a stream (a multipart part, or a raw request body for the integration
 * API): spooled, inspected, streamed into storage only if it passed. The stream is always read
 * to its end; the spool file is always removed.
 */
export async function receiveStream(
  rawName: string,
  stream: Readable,
  storage: FileStorage,
  options: ReceiveOptions = {},
): Promise<Outcome> {
  const named = checkName(rawName);
  if ('reason' in named) {
    await drain(stream);
    return { refusal: named };
  }
  let spool: Spool;
  try {
    spool = await spoolStream(stream, Math.min(options.maxBytes ?? MAX_FILE_BYTES, MAX_FILE_BYTES));
  } finally {
    await drain(stream);
  }
  try {
    return await inspectAndStore(rawName, spool, storage, options);
  } finally {
    await spool.dispose();
  }
}

async function inspectAndStore(
  rawName: string,
  spool: Spool,
  storage: FileStorage,
  options: ReceiveOptions,
): Promise<Outcome> {
  const inspected = await inspectSpooled(rawName, spool, options);
  if (isRefusal(inspected)) return { refusal: inspected };
  const stored = await putLimited(storage, inspected);
  const file: ReceivedFile = {
    fileName: inspected.name,
    contentType: inspected.contentType,
    storageKey: stored.key,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
  };
  if (inspected.pageCount !== undefined) file.pageCount = inspected.pageCount;
  return { file };
}

/**
 * Streams the request's files into storage, checking each. With any refusal, or any failure,
 * nothing stays stored: the caller gets the refusals and no file. Safe to call on a request
 * without files (urlencoded, or multipart without any).
 */
export async function receiveFiles(
  app: FastifyInstance,
  request: FastifyRequest,
  storage: FileStorage,
  options: ReceiveOptions = {},
): Promise<ReceivedFiles> {
  const result: ReceivedFiles = { files: [], refusals: [], attempted: 0 };
  const form = forms.get(request);
  if (!form) return result;
  let tooMany = false;
  try {
    for (;;) {
      const part = form.pending ?? (form.done ? undefined : await nextFile(form));
      form.pending = undefined;
      if (!part) break;
      result.attempted += 1;
      const outcome = await storeOne(part, storage, options);
      if ('file' in outcome) result.files.push(outcome.file);
      else result.refusals.push(outcome.refusal);
    }
  } catch (err) {
    // Busboy stops at the file after the last one allowed; anything else is a broken request.
    if (!(err instanceof app.multipartErrors.FilesLimitError)) {
      await discardFiles(storage, result.files);
      form.done = true;
      request.raw.resume();
      throw badForm(err);
    }
    tooMany = true;
    result.attempted += 1;
    // Busboy let go of the request: what is left of it is read and dropped.
    request.raw.resume();
  }
  form.done = true;
  if (tooMany) result.refusals.push({ reason: 'too_many', name: '' });
  if (result.refusals.length > 0) {
    await discardFiles(storage, result.files);
    result.files = [];
  }
  return result;
}

/** Removes stored files that no message will own (a refused form, a failed transaction). */
export async function discardFiles(storage: FileStorage, files: readonly ReceivedFile[]): Promise<void> {
  await Promise.all(files.map((f) => storage.delete(f.storageKey)));
}

/**
 * A form's errors followed by those of its refused files, and, when files came with a form that
 * is refused, a reminder that they must be chosen again (a browser never refills a file input).
 */
export function formErrors(t: Messages, errors: readonly string[], received: ReceivedFiles): string[] {
  const all = [...errors, ...received.refusals.map((r) => refusalMessage(t, r))];
  if (all.length > 0 && received.attempted > 0) all.push(t.files.chooseAgain);
  return all;
}

/** onResponse: reads what a route left of a multipart body, so that the connection stays usable. */
export async function drainUnreadForm(request: FastifyRequest): Promise<void> {
  const form = forms.get(request);
  if (!form || form.done) return;
  form.done = true;
  try {
    if (form.pending) await drain(form.pending.file);
    for (;;) {
      const step = await form.parts.next();
      if (step.done) break;
      if (step.value.type === 'file') await drain(step.value.file);
    }
  } catch {
    // A limit or a broken body: whatever is left of the request is read and dropped.
    request.raw.resume();
  }
}
