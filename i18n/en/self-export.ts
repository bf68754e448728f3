// English: the export a client asks for from their own space (page, refusals, the e-mail with the link).
import type * as French from '../fr/self-export.js';

export const selfExport: typeof French.selfExport = {
  nav: 'My data',
  title: 'My data',
  intro:
    'You can get a copy of everything Guichet holds about you (GDPR, articles 15 and 20): your account, your contact details, your conversations, your cases, your documents and files, and the access log.',
  how: (days: number) =>
    `The archive (a zip file) is prepared in the background; you then receive an e-mail with a link to download it. The link only works while signed in to your space, and for ${days} days.`,
  once: (hours: number) => `You can ask for an export once every ${hours} hours.`,
  ask: 'Download my data',
  asked: 'Your request is recorded. You will receive an e-mail as soon as the archive is ready.',
  building: 'Your archive is being prepared. You will receive an e-mail as soon as it is ready.',
  ready: (until: string) => `Your archive is ready. You can download it until ${until}.`,
  download: 'Download the archive (zip)',
  tooSoon: (when: string) => `You asked for your data recently. You can ask for a new export from ${when}.`,
  closed: 'This account is closed: its data can no longer be asked for.',
  expiredTitle: 'Link expired',
  expired: (days: number) =>
    `This download link is no longer valid: archives are deleted ${days} days after they are prepared (or the link does not belong to your account).`,
  askAgain: 'Ask for a new export',
  mailSubject: 'Your data is ready to download',
  mailBody: (url: string, until: string) =>
    `You asked for a copy of your data. The archive is ready:\n\n    ${url}\n\nSign in to your client space to download it. The link works until ${until}; the archive is deleted afterwards.\n\nIf you did not ask for it, tell us from your client space and change your password.`,
};
