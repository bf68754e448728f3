// French: the back-office settings page (logo, colour, rows per page, languages).

export const settings = {
  title: 'Réglages',
  saved: 'Les réglages sont enregistrés.',
  logo: 'Logo',
  logoHelp: 'PNG, JPG ou GIF, 1 Mo au plus. Affiché en haut de chaque page.',
  currentLogo: 'Logo actuel',
  removeLogo: 'Retirer le logo',
  noLogo: 'Aucun logo : le nom Guichet est affiché.',
  primaryColor: 'Couleur principale',
  primaryColorHelp: 'Code hexadécimal, par exemple #0b5cab. Boutons, liens et bandeau.',
  rowsPerPage: 'Lignes par page',
  rowsPerPageHelp: 'Entre 10 et 350 (25 par défaut).',
  locales: 'Langues proposées',
  save: 'Enregistrer les réglages',
  colorInvalid: 'La couleur doit être un code hexadécimal à 6 chiffres, par exemple #0b5cab.',
  rowsInvalid: 'Le nombre de lignes par page doit être un nombre entier entre 10 et 350.',
  localesInvalid: 'Merci de garder au moins une langue.',
  logoInvalid: 'Le logo n’est pas accepté : formats PNG, JPG ou GIF, 1 Mo au plus. Rien n’a été enregistré.',
};
