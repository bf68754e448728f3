// French: the e-mails sent to clients (greeting, acknowledgement, answers, password).

export const mail = {
  greeting: (name: string) => `Bonjour ${name},`,
  signature: 'L’équipe Guichet',
  noReply: 'Merci de ne pas répondre à cet e-mail : écrivez-nous depuis votre espace client.',
  ackSubject: (subject: string) => `Votre demande est prise en compte : ${subject}`,
  ackIntro:
    'Nous avons bien reçu votre message et il est pris en compte. Nous revenons vers vous dès que possible, au plus tard sous 48 heures ouvrées.',
  answerSubject: (subject: string) => `Nouvelle réponse à votre demande : ${subject}`,
  answerIntro: (author: string) => `${author} vous a répondu :`,
  readOnline: (url: string) => `Lire et répondre dans votre espace client : ${url}`,
  passwordSubject: 'Votre mot de passe pour l’espace client',
  passwordBody: (password: string, url: string) =>
    `Voici votre mot de passe pour l’espace client :\n\n    ${password}\n\nConnectez-vous avec votre adresse e-mail et ce mot de passe sur ${url}\nSi vous n’avez rien demandé, ignorez cet e-mail : votre mot de passe actuel reste valable.`,
};
