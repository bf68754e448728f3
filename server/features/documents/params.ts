// Route parameters of the documents feature: a case and one of its documents, both UUIDs.
import { idParams } from '../../params.js';

export const docParams = {
  type: 'object',
  properties: { id: idParams.properties.id, docId: idParams.properties.id },
  required: ['id', 'docId'],
} as const;
