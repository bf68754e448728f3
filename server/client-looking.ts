// A client page was served: the Redmine poll keeps its fast pace while a client looks
// (db/mirror-watch.ts, issue #18). Best effort: the page never fails nor waits on an error of
// this note (the poll then simply backs off as if nobody looked).
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/connect.js';
import { noteClientLooking } from '../db/mirror-watch.js';

export function clientLooking(db: Db, request: FastifyRequest): Promise<void> {
  return noteClientLooking(db).catch((err: unknown) => {
    request.log.warn({ err }, 'the mirror watch was not noted');
  });
}
