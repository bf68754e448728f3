// French: each person's rights on the client record (export, erasure).

export const dataRights = {
  title: 'Données personnelles',
  help: 'Exporter tout ce que Guichet conserve sur ce client (RGPD, articles 15 et 20), ou l’effacer (article 17).',
  export: 'Exporter ses données (zip)',
  erase: 'Effacer ce client',
  eraseHelp:
    'Ses fichiers et documents sont supprimés ; ses messages sont conservés pour les archives de l’organisation, signés « Client supprimé » ; son compte est fermé. Les demandes Redmine ne sont jamais supprimées : leur liste vous est donnée.',
  confirmOpen: 'Je suis administrateur et je confirme l’effacement malgré des dossiers non clos',
  openCases: (numbers: string) =>
    `Ce client a des dossiers non clos (${numbers}) : rien n’a été effacé. Un administrateur peut confirmer l’effacement en cochant la case.`,
  erasedTitle: 'Client effacé',
  erased: (files: number) => `Le client est effacé : ${files} fichier(s) supprimé(s), son compte est fermé.`,
  redmineIssues: 'Demandes Redmine à traiter à la main (Guichet ne les supprime pas) :',
  noRedmineIssues: 'Aucune demande Redmine.',
  back: 'Retour aux clients',
};
