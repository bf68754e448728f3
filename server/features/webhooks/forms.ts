// The endpoint form as a zod schema: the URL (https, no private-network target unless the run
// allows it), a description, the events (one checkbox each, `ev_<type>`) and the spaces
// (`sp_<id>`, none: every space). Messages in the administrator's language.
import { z } from 'zod';
import { urlProblem, WEBHOOK_EVENT_TYPES, type TargetPolicy, type WebhookEventType } from '../../../domain/webhooks.js';
import type { Messages } from '../../../i18n/index.js';
import { text } from '../../forms.js';

export interface EndpointForm {
  url: string;
  description: string;
  events: WebhookEventType[];
  spaceIds: string[];
}

export const BLANK_ENDPOINT_FORM: EndpointForm = { url: '', description: '', events: [], spaceIds: [] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What was typed and ticked, to show a refused form again. */
export function typedEndpointForm(body: unknown): EndpointForm {
  const source = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const keys = Object.keys(source).filter((k) => source[k] === 'on');
  return {
    url: text.parse(source.url).trim(),
    description: text.parse(source.description).trim(),
    events: WEBHOOK_EVENT_TYPES.filter((e) => keys.includes(`ev_${e}`)),
    spaceIds: keys
      .filter((k) => k.startsWith('sp_'))
      .map((k) => k.slice(3).toLowerCase())
      .filter((id) => UUID.test(id)),
  };
}

export function endpointSchema(t: Messages, policy: TargetPolicy): z.ZodType<EndpointForm, unknown> {
  const w = t.webhooks;
  const problems = { invalid: w.urlInvalid, scheme: w.urlScheme, credentials: w.urlCredentials, address: w.urlAddress };
  return z
    .unknown()
    .transform(typedEndpointForm)
    .pipe(
      z.object({
        url: z
          .string()
          .max(2000, w.urlInvalid)
          .superRefine((url, ctx) => {
            const problem = urlProblem(url, policy);
            if (problem) ctx.addIssue({ code: 'custom', message: problems[problem] });
          }),
        description: z.string().max(200, w.descriptionTooLong),
        events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, w.eventsRequired),
        spaceIds: z.array(z.string()),
      }),
    );
}
