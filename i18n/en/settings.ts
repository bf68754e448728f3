// English: the back-office settings page (logo, colour, rows per page, languages).
import type * as French from '../fr/settings.js';

export const settings: typeof French.settings = {
  title: 'Settings',
  saved: 'The settings are saved.',
  logo: 'Logo',
  logoHelp: 'PNG, JPG or GIF, 1 MB at most. Shown at the top of every page.',
  currentLogo: 'Current logo',
  removeLogo: 'Remove the logo',
  noLogo: 'No logo: the name Guichet is shown.',
  primaryColor: 'Primary colour',
  primaryColorHelp: 'Hexadecimal code, for example #0b5cab. Buttons, links and header.',
  rowsPerPage: 'Rows per page',
  rowsPerPageHelp: 'Between 10 and 350 (25 by default).',
  locales: 'Languages offered',
  save: 'Save the settings',
  colorInvalid: 'The colour must be a 6-digit hexadecimal code, for example #0b5cab.',
  rowsInvalid: 'Rows per page must be a whole number between 10 and 350.',
  localesInvalid: 'Please keep at least one language.',
  logoInvalid: 'The logo is not accepted: PNG, JPG or GIF, 1 MB at most. Nothing was saved.',
};
