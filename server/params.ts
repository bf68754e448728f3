// Route parameters shared by the features: ids are UUIDs, anything else is a page that does not exist.
export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' } },
  required: ['id'],
} as const;

export const attachmentParams = {
  type: 'object',
  properties: { id: idParams.properties.id, attachmentId: idParams.properties.id },
  required: ['id', 'attachmentId'],
} as const;
