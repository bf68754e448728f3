// French: the client's notification preferences (how they are told of answers) and the phone
// confirmation by SMS.

export const preferences = {
  nav: 'Préférences',
  title: 'Mes préférences de notification',
  intro: 'Choisissez comment vous êtes prévenu quand l’équipe répond à l’une de vos conversations.',
  emailLegend: 'Par e-mail',
  emailModes: {
    each: 'À chaque réponse',
    daily: 'Un résumé par jour',
    none: 'Jamais',
  } as Record<'each' | 'daily' | 'none', string>,
  emailAlways: 'Les e-mails de mot de passe et de sécurité vous sont toujours envoyés.',
  smsLegend: 'Par SMS',
  smsModes: {
    each: 'À chaque réponse (après confirmation du numéro)',
    none: 'Jamais',
  } as Record<'each' | 'none', string>,
  smsContent: 'Un SMS donne seulement l’objet de la conversation, jamais le texte de la réponse.',
  phone: 'Numéro de téléphone mobile',
  phoneHelp:
    'Un mobile français (06 12 34 56 78) ou un numéro étranger avec son indicatif (+32 470 12 34 56). Un code vous est envoyé par SMS pour le confirmer.',
  phoneConfirmed: (phone: string) => `Numéro confirmé\u00a0: ${phone}.`,
  phoneUnconfirmed: (phone: string) => `Numéro en attente de confirmation\u00a0: ${phone}.`,
  localeLegend: 'Langue des notifications',
  locales: { fr: 'Français', en: 'English' } as Record<'fr' | 'en', string>,
  save: 'Enregistrer mes préférences',
  saved: 'Vos préférences sont enregistrées.',
  codeSentNotice:
    'Vos préférences sont enregistrées. Un code vient de vous être envoyé par SMS\u00a0: saisissez-le ci-dessous.',
  resentNotice: 'Un nouveau code vient de vous être envoyé par SMS.',
  confirmedNotice: 'Votre numéro est confirmé\u00a0: vous recevrez un SMS à chaque réponse.',
  confirmTitle: 'Confirmer votre numéro',
  confirmIntro: (phone: string, minutes: number) =>
    `Saisissez le code à 6 chiffres envoyé par SMS au ${phone}. Il est valable ${minutes} minutes.`,
  code: 'Code reçu par SMS',
  confirm: 'Confirmer le numéro',
  resend: 'Envoyer un nouveau code',
  smsCode: (code: string, minutes: number) =>
    `Guichet : votre code de confirmation est ${code}. Il expire dans ${minutes} minutes. Ne le communiquez à personne.`,
  errors: {
    emailMode: 'Choisissez comment être prévenu par e-mail.',
    smsMode: 'Choisissez si vous voulez être prévenu par SMS.',
    locale: 'Choisissez la langue des notifications : français ou anglais.',
    phoneRequired: 'Pour être prévenu par SMS, indiquez votre numéro de téléphone mobile.',
    phoneCharacters:
      'Le numéro de téléphone ne peut contenir que des chiffres, des espaces, des points, des tirets et un + au début.',
    phoneShape:
      'Ce numéro de téléphone n’est pas complet : un numéro français a 10 chiffres (06 12 34 56 78), un numéro étranger commence par + et l’indicatif du pays.',
    phoneNotMobile: 'Ce numéro n’est pas un mobile : en France, les SMS partent vers un numéro en 06 ou 07.',
    phoneTooLong: 'Le numéro de téléphone est trop long.',
    codeFormat: 'Le code reçu par SMS a 6 chiffres.',
    codeWrong: (left: number) =>
      left > 1
        ? `Ce code n’est pas le bon. Il vous reste ${left} essais.`
        : 'Ce code n’est pas le bon. Il vous reste 1 essai.',
    codeExpired: 'Ce code a expiré ou a été saisi trop de fois : demandez un nouveau code.',
    noPending: 'Aucun numéro n’attend de confirmation : indiquez d’abord votre numéro et choisissez les SMS.',
    smsFailed: 'Le SMS n’a pas pu être envoyé ; rien n’a été modifié. Merci de réessayer dans quelques instants.',
  },
};
