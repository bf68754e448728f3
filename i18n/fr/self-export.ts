// French: the export a client asks for from their own space (page, refusals, the e-mail with the link).

export const selfExport = {
  nav: 'Mes données',
  title: 'Mes données',
  intro:
    'Vous pouvez obtenir une copie de tout ce que Guichet conserve sur vous (RGPD, articles 15 et 20) : votre compte, vos moyens de contact, vos conversations, vos dossiers, vos documents et fichiers, et le journal des accès.',
  how: (days: number) =>
    `L’archive (un fichier zip) est préparée en arrière-plan ; vous recevez ensuite par e-mail un lien pour la télécharger. Le lien ne fonctionne que connecté à votre espace, et pendant ${days} jours.`,
  once: (hours: number) => `Vous pouvez demander un export toutes les ${hours} heures.`,
  ask: 'Télécharger mes données',
  asked: 'Votre demande est enregistrée. Vous recevrez un e-mail dès que l’archive sera prête.',
  building: 'Votre archive est en préparation. Vous recevrez un e-mail dès qu’elle sera prête.',
  ready: (until: string) => `Votre archive est prête. Vous pouvez la télécharger jusqu’au ${until}.`,
  download: 'Télécharger l’archive (zip)',
  tooSoon: (when: string) =>
    `Vous avez déjà demandé vos données récemment. Vous pourrez en demander un nouvel export à partir du ${when}.`,
  closed: 'Ce compte est fermé : il n’est plus possible d’en demander les données.',
  expiredTitle: 'Lien expiré',
  expired: (days: number) =>
    `Ce lien de téléchargement n’est plus valable : les archives sont supprimées ${days} jours après leur préparation (ou le lien ne correspond pas à votre compte).`,
  askAgain: 'Demander un nouvel export',
  mailSubject: 'Vos données sont prêtes à être téléchargées',
  mailBody: (url: string, until: string) =>
    `Vous avez demandé une copie de vos données. L’archive est prête :\n\n    ${url}\n\nConnectez-vous à votre espace client pour la télécharger. Le lien fonctionne jusqu’au ${until} ; l’archive est ensuite supprimée.\n\nSi vous n’avez rien demandé, signalez-le-nous depuis votre espace client et changez votre mot de passe.`,
};
