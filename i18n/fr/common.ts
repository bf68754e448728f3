// French: texts shared by every page (product name, navigation, log-in, password, form errors, file refusals, access,
// back-office frame, development pages).

/** The catalogue's top-level texts: the product's name and the language switch. */
export const top = {
  appName: 'Guichet',
  langName: 'Français',
  skipToContent: 'Aller au contenu',
  switchLanguage: 'English',
};

export const nav = {
  conversations: 'Mes messages',
  newMessage: 'Nouveau message',
  logout: 'Se déconnecter',
  backOffice: 'Back-office',
};

export const login = {
  title: 'Connexion à votre espace client',
  intro: 'Votre identifiant est l’adresse e-mail que vous avez communiquée à votre interlocuteur.',
  email: 'Adresse e-mail',
  password: 'Mot de passe',
  submit: 'Se connecter',
  forgot: 'Première connexion ou mot de passe oublié ?',
  failed: 'Adresse e-mail ou mot de passe incorrect.',
  expired: 'Votre session a expiré après 30 minutes d’inactivité. Merci de vous reconnecter.',
  loggedOut: 'Vous êtes déconnecté.',
  staffTitle: 'Connexion au back-office',
  passwordSent: 'Votre nouveau mot de passe est actif : vous pouvez l’utiliser dès maintenant.',
};

export const password = {
  title: 'Recevoir un mot de passe',
  intro:
    'Indiquez votre adresse e-mail : si elle est connue de nos services, vous recevrez un mot de passe par e-mail. Votre ancien mot de passe reste valable tant que vous n’avez pas utilisé le nouveau.',
  submit: 'Recevoir mon mot de passe',
  sent: 'Si cette adresse est connue de nos services, un e-mail contenant un mot de passe vient de lui être envoyé. Pensez à vérifier vos courriers indésirables.',
  back: 'Retour à la connexion',
};

export const errors = {
  subjectRequired: 'Merci d’indiquer l’objet de votre message.',
  subjectTooLong: 'L’objet ne peut pas dépasser 200 caractères.',
  bodyRequired: 'Merci d’écrire votre message.',
  bodyTooLong: 'Le message ne peut pas dépasser 20 000 caractères.',
  emailInvalid: 'Cette adresse e-mail n’est pas valide.',
  ccInvalid: (list: string) => `Ces adresses en copie ne sont pas valides : ${list}.`,
  spaceInvalid: 'Merci de choisir le service concerné.',
  csrf: 'Ce formulaire a expiré. Merci de le renvoyer.',
  badForm: 'Ce formulaire n’a pas pu être lu : rien n’a été enregistré. Merci de le renvoyer.',
  tooManyAttempts: (wait: string) => `Trop de tentatives. Réessayez dans ${wait}.`,
  tooManyMails: (address: string, wait: string) =>
    `${address} a déjà reçu de votre part tous les e-mails permis pour aujourd’hui. Réessayez dans ${wait}.`,
  waitMinutes: (n: number) => (n === 1 ? '1 minute' : `${n} minutes`),
  waitHours: (n: number) => (n === 1 ? '1 heure' : `${n} heures`),
  notFound: 'Cette page n’existe pas ou ne vous est pas accessible.',
  unavailable:
    'Le service est momentanément indisponible : votre message n’a pas été envoyé. Merci de réessayer dans quelques instants.',
  internal: 'Une erreur inattendue est survenue. Nos équipes en sont informées.',
  formHasErrors: 'Le formulaire contient des erreurs :',
};

export const files = {
  label: 'Pièces jointes (facultatif)',
  help: 'Formats acceptés : PDF, PNG, JPG, TIF, BMP, GIF. 10 Mo au plus par fichier, 5 fichiers au plus.',
  refusedType: (name: string) =>
    `Le fichier « ${name} » n’est pas accepté : formats acceptés PDF, PNG, JPG, TIF, BMP, GIF, 10 Mo au plus.`,
  refusedContent: (name: string, kind: string) =>
    `Le fichier « ${name} » n’est pas accepté : son contenu n’est pas celui d’un fichier ${kind}. Formats acceptés PDF, PNG, JPG, TIF, BMP, GIF, 10 Mo au plus.`,
  refusedEmpty: (name: string) => `Le fichier « ${name} » n’est pas accepté : il est vide.`,
  refusedTooLarge: (name: string) => `Le fichier « ${name} » n’est pas accepté : il dépasse 10 Mo.`,
  refusedName: (name: string) => `Le fichier « ${name} » n’est pas accepté : son nom n’est pas valide.`,
  refusedEncrypted: (name: string) =>
    `Le fichier « ${name} » n’est pas accepté : il est protégé par un mot de passe. Merci d’en déposer une copie sans protection.`,
  refusedCorrupt: (name: string, kind: string) =>
    `Le fichier « ${name} » n’est pas accepté : ce fichier ${kind} est endommagé et ne peut pas être lu.`,
  refusedTooManyPages: (name: string, pages: number, max: number) =>
    `Le fichier « ${name} » n’est pas accepté : il compte ${pages} pages, ${max} au plus.`,
  refusedActiveContent: (name: string) =>
    `Le fichier « ${name} » n’est pas accepté : il contient du code exécutable (script, page web ou action automatique).`,
  refusedTooLargeFor: (name: string, mb: string) => `Le fichier « ${name} » n’est pas accepté : il dépasse ${mb} Mo.`,
  refusedBomb: (name: string) =>
    `Le fichier « ${name} » n’est pas accepté : ses dimensions ou son contenu décompressé dépassent ce qu’un document peut raisonnablement contenir.`,
  refusedTooComplex: (name: string) =>
    `Le fichier « ${name} » n’est pas accepté : il est trop complexe pour être vérifié. Merci d’en déposer une version plus simple (par exemple réimprimée en PDF).`,
  refusedKindHere: (name: string, kinds: string) =>
    `Le fichier « ${name} » n’est pas accepté ici : formats acceptés ${kinds}.`,
  tooMany: (max: number) => `Vous pouvez joindre ${max} fichiers au plus à un message.`,
  chooseAgain:
    'Votre message n’a pas été envoyé et aucun fichier n’a été enregistré : merci de choisir à nouveau vos fichiers.',
};

export const access = {
  staffSignInRequired: 'Connectez-vous au back-office pour continuer.',
};

export const backoffice = {
  nav: {
    conversations: 'Conversations',
    clients: 'Fiches clients',
    templates: 'Modèles d’e-mails',
    settings: 'Réglages',
  },
  adminOnly: 'Seuls les administrateurs peuvent faire cette modification.',
  logoAlt: 'Logo',
};

export const staffLogin = {
  redmineLogin: 'Identifiant Redmine',
  redmineIntro: 'Connectez-vous avec votre identifiant et votre mot de passe Redmine.',
  redmineUnavailable:
    'Redmine ne répond pas : la connexion est impossible pour le moment. Merci de réessayer dans quelques instants.',
  redmineMisconfigured:
    'La connexion par Redmine n’est pas configurée correctement : prévenez l’administrateur de Guichet.',
  failed: 'Identifiant ou mot de passe incorrect.',
};

export const dev = {
  mailTitle: 'Boîte d’envoi (développement)',
  mailIntro: 'Aucun serveur SMTP n’est configuré : les e-mails restent ici.',
  to: 'À',
  subject: 'Objet',
  sentAt: 'Envoyé',
  none: 'Aucun e-mail.',
};

export const devSms = {
  title: 'SMS envoyés (fournisseur de développement)',
  intro: 'Le fournisseur de SMS de développement n’envoie rien : les SMS restent ici.',
  none: 'Aucun SMS.',
};
