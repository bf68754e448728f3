// The mirrored attachments the staff-note corpus (staff-note-corpus.json) refers to, with the
// Guichet download addresses a conversation page gives them.
import type { NoteAttachmentLink } from '../../../app/staff-note-rendering.js';

export const attachments: NoteAttachmentLink[] = [
  { filename: 'devis.pdf', url: '/conversations/c/pieces-jointes/1' },
  { filename: 'plan.png', url: '/conversations/c/pieces-jointes/2' },
  { filename: 'relevé de compte.pdf', url: '/conversations/c/pieces-jointes/3' },
];
