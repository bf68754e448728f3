// French: the texts Guichet writes for staff, in Redmine (private notes, issue descriptions, the
// client message's signature), in Vilogi (the comment of a processed notification) and in SLA
// alerts. Staff-facing, so in the organisation's language, not the visitor's; en.ts mirrors it.

/** A Vilogi file not taken, as staff read it (keys: the domain's file refusal reasons). */
export type VilogiRefusalReason =
  | 'type'
  | 'content'
  | 'empty'
  | 'too_large'
  | 'name'
  | 'too_many'
  | 'encrypted'
  | 'corrupt'
  | 'too_many_pages'
  | 'active_content'
  | 'bomb'
  | 'too_complex'
  | 'kind_not_allowed';

export type SlaAlertKind = 'reminder' | 'pre-breach' | 'breach';

/** Where a Vilogi request came from (dates already formatted in the notes' language). */
export interface VilogiOrigin {
  id: string;
  filedAt: string;
  authorName: string;
  authorEmail: string | null;
  service: string;
  building: string | null;
  lot: string | null;
}

const megabytes = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

export const fr = {
  // --- the Redmine mirror ---
  /** The first line of a conversation's issue description. */
  issueWrittenBy: (name: string, email: string) => `Demande écrite par ${name} <${email}> depuis l’espace client.`,
  issueConversationLink: (url: string) => `Conversation : ${url}`,
  /** The first line of the description of an issue staff opened for a client (its first message follows). */
  issueOpenedByStaff: (staff: string, client: string, email: string) =>
    `Conversation ouverte par ${staff} avec ${client} <${email}>. Le message ci-dessous est le premier de la conversation : le client le lit dans son espace.`,
  issueOpenedByStaffEnd:
    'Les notes publiques sont transmises au client, les notes privées jamais ; une modification de cette description ne lui parvient pas.',
  issueDescriptionIsInternal:
    'Cette description est interne : elle n’est jamais montrée au client. Les notes publiques lui sont transmises, les notes privées jamais.',
  /** The signature under a client message posted as a note. */
  clientMessageSignature: (author: string) => `— ${author} (espace client)`,
  attachmentTooLargeForRedmine: (fileName: string, sizeBytes: number, url: string) =>
    `Pièce jointe trop lourde pour Redmine, disponible dans Guichet : « ${fileName} » (${megabytes.format(sizeBytes / (1024 * 1024))} Mo) ${url}`,
  emailFieldChanged: (email: string, clientEmail: string) =>
    `⚠ Le champ e-mail client a été changé en « ${email} ». Cette conversation reste celle de ${clientEmail} : plus rien n’est transmis au client tant que le champ ne contient pas à nouveau ${clientEmail}. Pour écrire à une autre personne, ouvrez un nouveau ticket.`,
  emailFieldEmptied: (clientEmail: string) =>
    `⚠ Le champ e-mail client a été vidé. Il ne doit jamais l’être : plus rien n’est transmis à ${clientEmail} tant qu’il ne contient pas à nouveau son adresse.`,
  acknowledgementSent: 'Accusé de réception envoyé au client (dans son espace et par e-mail).',
  /** The acknowledgement in the description of the issue it preceded (instead of a private note). */
  acknowledgementSentAt: (at: string) =>
    `Accusé de réception envoyé au client le ${at} (dans son espace et par e-mail).`,

  // --- SLA and satisfaction ---
  satisfactionAsked:
    'Question de satisfaction posée au client (sans réponse sous 72 h, la demande sera résolue automatiquement).',
  resolvedAutomatically:
    'Demande résolue automatiquement : pas de réponse du client 72 heures après la question de satisfaction.',
  resolvedByClient: 'Le client a confirmé que sa demande est résolue.',
  /** The subject of an SLA alert e-mail. */
  slaAlertSubject: (kind: SlaAlertKind, subject: string) =>
    `${kind === 'reminder' ? 'Rappel : réponse attendue' : kind === 'pre-breach' ? 'Alerte : délai maximal bientôt dépassé' : 'Délai maximal dépassé'} — ${subject}`,
  /** An SLA alert: the e-mail's text and the private note. */
  slaAlert: (kind: SlaAlertKind, subject: string, due: string, url: string) =>
    `${kind === 'reminder' ? `Rappel : le client attend une réponse à « ${subject} » avant le ${due}.` : kind === 'pre-breach' ? `Alerte : « ${subject} » n’a pas de réponse et le délai maximal expire le ${due}.` : `Délai maximal dépassé : « ${subject} » n’a pas reçu de réponse avant le ${due}.`}\n${url}`,

  // --- the Vilogi import ---
  /** The subject of a request that has none. */
  noSubject: '(sans objet)',
  vilogiRefusal: {
    type: 'format non accepté',
    content: 'contenu ne correspondant pas au format',
    empty: 'fichier vide',
    too_large: 'plus de 10 Mo',
    name: 'nom non valide',
    too_many: 'trop de fichiers',
    encrypted: 'protégé par un mot de passe',
    corrupt: 'fichier endommagé',
    too_many_pages: 'trop de pages',
    active_content: 'contient du code exécutable',
    bomb: 'dimensions ou contenu décompressé démesurés',
    too_complex: 'trop complexe pour être vérifié',
    kind_not_allowed: 'format non accepté',
  } satisfies Record<VilogiRefusalReason, string> as Record<VilogiRefusalReason, string>,
  /** A refused file, named under the request's text in the conversation's first message. */
  vilogiFileNotTakenInMessage: (file: string) => `[Pièce jointe non reprise : ${file}]`,
  /** A refused file, named in the triage issue's description. */
  vilogiFileNotTaken: (name: string, reason: string) => `Pièce jointe non reprise (${reason}) : « ${name} »`,
  vilogiFileTooLargeForRedmine: (name: string) =>
    `Pièce jointe trop lourde pour Redmine, disponible dans Vilogi : « ${name} »`,
  /** What staff read about a request's origin (a private note, or the triage issue's description). */
  vilogiOrigin: (r: VilogiOrigin): string[] => [
    `Demande déposée sur l’extranet Vilogi (n° ${r.id}) le ${r.filedAt}.`,
    `Auteur : ${r.authorName || '—'}${r.authorEmail ? ` <${r.authorEmail}>` : ' (sans adresse e-mail)'}`,
    `Service : ${r.service || '—'} · Immeuble : ${r.building ?? '—'} · Lot : ${r.lot ?? '—'}`,
  ],
  /** In the description of a Vilogi request's issue, under its origin: processed once the issue exists. */
  vilogiNotificationToProcess: (eventModel: string) =>
    `La notification Vilogi est traitée (modèle d’évènement « ${eventModel} ») dès la création de ce ticket.`,
  vilogiNotificationProcessed: (eventModel: string) =>
    `Notification traitée dans Vilogi (modèle d’évènement « ${eventModel} »).`,
  vilogiTriage: (authorEmail: string | null) =>
    `À trier : demande Vilogi ${authorEmail ? `avec une adresse e-mail inutilisable (« ${authorEmail} »)` : 'sans adresse e-mail'}. Elle n’apparaît dans aucun espace client : retrouvez le client, puis ouvrez un ticket dans le projet de son espace avec son e-mail. Les réponses publiques écrites ici sont renvoyées dans Vilogi.`,
  /** The comments of processed Vilogi notifications, as Vilogi's users read them. */
  vilogiSentToRedmine: (issueId: number) => `Transféré dans Redmine (#${issueId}) et dans l’espace client.`,
  vilogiSentToClientSpace: 'Transféré dans l’espace client.',
  vilogiTriageInRedmine: (issueId: number) => `À trier dans Redmine (#${issueId}).`,
  vilogiTriageInGuichet: 'À trier dans le back-office Guichet.',
};

export type StaffNotes = typeof fr;
