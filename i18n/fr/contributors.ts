// French: contributors invited to a case and their access.

export const contributors = {
  readOnly: 'Votre accès à ce dossier ne permet pas de déposer ni de retirer de pièces.',
  noMessages: 'Votre accès à ce dossier ne permet pas d’écrire à l’équipe.',
  contributorNotice: (role: string) =>
    `Vous participez à ce dossier en tant que ${role} : vous voyez uniquement les pièces demandées à ce titre et les documents que vous avez déposés.`,
  occasionalNotice: 'Vous avez un accès en consultation à ce dossier : vous pouvez lire et télécharger ses documents.',
  peopleTitle: 'Personnes ayant accès',
  none: 'Personne d’autre n’a accès à ce dossier.',
  occasional: 'Accès occasionnel',
  occasionalChoice: 'Accès occasionnel (consultation seule)',
  status: {
    invited: 'invitation envoyée',
    active: 'accès actif',
    revoked: 'accès retiré',
    expired: 'invitation expirée',
  },
  notSent: 'invitation pas encore envoyée',
  until: 'valable jusqu’au',
  addTitle: 'Ajouter une personne',
  ownerIntro:
    'Invitez la personne qui doit déposer ses propres pièces (un garant, un co-emprunteur…). Elle ne verra que les pièces demandées à son rôle.',
  inviteLink: 'Inviter une personne à déposer ses pièces',
  name: 'Nom et prénom',
  email: 'Adresse e-mail',
  role: 'Rôle',
  notify: 'Envoyer l’invitation maintenant',
  add: 'Ajouter',
  send: 'Envoyer l’invitation',
  resend: 'Renvoyer l’invitation',
  sendLabel: (name: string) => `Envoyer une nouvelle invitation à ${name}`,
  revoke: 'Retirer l’accès',
  revokeLabel: (name: string) => `Retirer l’accès de ${name}`,
  nameRequired: 'Indiquez le nom et le prénom de la personne.',
  nameTooLong: 'Le nom ne peut dépasser 200 caractères.',
  roleInvalid: 'Choisissez le rôle de la personne dans ce dossier.',
  isOwner: 'Cette personne est le client principal du dossier : elle y a déjà accès.',
  alreadyMember: 'Cette personne a déjà accès à ce dossier ou une invitation en cours.',
  notAllowed: 'Cette procédure ne permet pas d’inviter d’autres personnes.',
  added: (name: string) => `${name} a été ajouté(e) au dossier.`,
  invited: (name: string) => `Une invitation a été envoyée à ${name}.`,
  revoked: (name: string) => `L’accès de ${name} a été retiré.`,
  unavailable: 'L’invitation n’a pas pu être envoyée pour le moment. Réessayez dans quelques minutes.',
  invitationTitle: 'Invitation à un dossier',
  invitationIntro: (inviter: string, number: string, role: string) =>
    `${inviter} vous invite à déposer vos pièces pour le dossier ${number}, en tant que ${role}.`,
  occasionalIntro: (client: string, number: string) =>
    `Vous avez reçu un accès en consultation au dossier ${number} de ${client}.`,
  accept: 'Accepter l’invitation',
  invalidTitle: 'Lien expiré ou déjà utilisé',
  invalidHelp:
    'Ce lien d’invitation n’est plus valable : il a déjà servi, a expiré ou a été remplacé par une invitation plus récente. Si vous avez déjà accepté, connectez-vous ; sinon, demandez une nouvelle invitation.',
  toLogin: 'Se connecter',
  accepted: 'Invitation acceptée : voici les pièces qui vous sont demandées.',
  passwordSent:
    'Invitation acceptée. Nous vous avons envoyé par e-mail un mot de passe pour vos prochaines connexions.',
  reminderSubject: (subject: string) => `Rappel : ${subject}`,
  invitationBody: (role: string, number: string, url: string) =>
    `{{clientFullName}} vous invite à déposer vos pièces pour le dossier ${number}, en tant que ${role}. Vous ne verrez que les pièces qui vous sont demandées.\n\nAccepter l’invitation : ${url}\n\nCe lien est personnel et ne sert qu’une fois.`,
  expiredSubject: (number: string) => `Invitation expirée pour le dossier ${number}`,
  expiredOwnerBody: (name: string, role: string, number: string) =>
    `L’invitation de ${name} (${role}) à votre dossier ${number} a expiré sans être acceptée. L’équipe peut l’inviter de nouveau.`,
  expiredStaffBody: (name: string, role: string, number: string, client: string) =>
    `L’invitation de ${name} (${role}) au dossier ${number} de ${client} a expiré sans être acceptée.`,
  permissionsTitle: 'Contributeurs : permissions par rôle',
  permissionsHelp:
    'Le client principal du dossier peut toujours tout faire. Pour chaque autre rôle, ce que la personne invitée peut faire ; sans « voir », le rôle n’a aucun accès.',
  perm: {
    view: 'Voir ses pièces',
    deposit: 'Déposer',
    message: 'Écrire à l’équipe',
    seeAll: 'Voir les autres documents du dossier',
  },
  invitable: 'Le client principal peut inviter des contributeurs',
  savePermissions: 'Enregistrer les permissions',
  noRoles: 'Cette procédure n’a pas d’autre rôle que celui du client principal.',
  occasionalMail: {
    subject: (number: string) => `Accès au dossier ${number}`,
    body: (client: string, number: string, url: string) =>
      `Vous avez reçu un accès en consultation au dossier ${number} de ${client} : vous pourrez en lire et en télécharger les documents.\n\nOuvrir l’accès : ${url}\n\nCe lien est personnel et ne sert qu’une fois.`,
  },
};
