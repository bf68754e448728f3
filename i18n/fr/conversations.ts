// French: the client's conversations (list, states, new message, thread, acknowledgement) and the back-office
// conversation list.

export const conversations = {
  title: 'Mes messages',
  empty: 'Vous n’avez encore écrit aucun message.',
  write: 'Écrire un nouveau message',
  subject: 'Objet',
  space: 'Service',
  status: 'État',
  lastActivity: 'Dernière activité',
  newAnswers: (n: number) => (n === 1 ? '1 nouvelle réponse' : `${n} nouvelles réponses`),
  page: (p: number, total: number) => `Page ${p} sur ${total}`,
  previous: 'Page précédente',
  next: 'Page suivante',
};

export const status = {
  open: 'En attente de réponse',
  answered: 'Répondu',
  waiting_client: 'En attente de votre retour',
  resolved: 'Résolu',
  closed: 'Clos',
};

export const compose = {
  title: 'Nouveau message',
  space: 'Service concerné',
  subject: 'Objet',
  body: 'Votre message',
  cc: 'Copie à (facultatif)',
  ccHelp: 'Adresses e-mail à mettre en copie, séparées par des virgules.',
  send: 'Envoyer',
  cancel: 'Annuler',
  required: 'obligatoire',
};

export const thread = {
  you: 'Vous',
  reply: 'Répondre',
  send: 'Envoyer la réponse',
  back: 'Retour à mes messages',
  acknowledgement: 'Accusé de réception',
  sent: 'Envoyé',
  delivered: 'Transmis à nos équipes',
  attachments: 'Pièces jointes',
  sentAt: (date: string) => `le ${date}`,
};

export const ack = {
  body: 'Bonjour, votre demande est bien prise en compte. Nous revenons vers vous dès que possible, au plus tard sous 48 heures ouvrées.',
  author: 'Guichet',
};

export const messageStates = {
  label: 'État du message',
  to_read: 'À lire',
  read: 'Lu',
  cancelled: 'Annulé',
  markRead: 'Marquer comme lu',
  markToRead: 'Marquer à lire',
  cancel: 'Annuler le message',
  restore: 'Rétablir',
  changed: 'L’état du message est changé.',
  cancelledHelp: 'Message annulé : gardé pour l’historique, il n’appelle plus de réponse.',
};

export const staff = {
  title: 'Back-office',
  conversations: 'Conversations',
  client: 'Client',
  awaiting: 'À traiter',
  answer: 'Répondre au client',
  sendAnswer: 'Envoyer la réponse',
  none: 'Aucune conversation.',
  allSpaces: 'Tous les services',
  filter: 'Filtrer',
};
