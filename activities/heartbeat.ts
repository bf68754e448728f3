// Liveness for long activities: a worker that dies mid-activity (SIGKILL, a lost machine) stops
// heartbeating, so Temporal hands the activity to another worker after the heartbeat timeout
// instead of waiting for the whole start-to-close timeout (10 minutes for a client message and
// its files). The SDK throttles heartbeats, so calling these often costs nothing.
import { Transform, type Readable } from 'node:stream';
import { Context } from '@temporalio/activity';

/** Says "still working" when running inside an activity; does nothing elsewhere (a plain call). */
export function heartbeat(): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.heartbeat();
}

/** The same bytes, with a heartbeat per chunk read: a long upload keeps its activity alive. */
export function heartbeating(stream: Readable): Readable {
  const through = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      heartbeat();
      done(null, chunk);
    },
  });
  stream.on('error', (err) => through.destroy(err));
  through.on('close', () => {
    if (!stream.readableEnded) stream.destroy();
  });
  return stream.pipe(through);
}
