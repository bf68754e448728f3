// English: the client's notification preferences (how they are told of answers) and the phone
// confirmation by SMS.
import type * as French from '../fr/preferences.js';

export const preferences: typeof French.preferences = {
  nav: 'Preferences',
  title: 'My notification preferences',
  intro: 'Choose how you are told when the team answers one of your conversations.',
  emailLegend: 'By e-mail',
  emailModes: {
    each: 'For each answer',
    daily: 'One summary a day',
    none: 'Never',
  },
  emailAlways: 'Password and security e-mails are always sent to you.',
  smsLegend: 'By SMS',
  smsModes: {
    each: 'For each answer (once the number is confirmed)',
    none: 'Never',
  },
  smsContent: 'An SMS only gives the conversation’s subject, never the text of the answer.',
  phone: 'Mobile phone number',
  phoneHelp:
    'A French mobile (06 12 34 56 78) or a foreign number with its country code (+32 470 12 34 56). A code is sent to you by SMS to confirm it.',
  phoneConfirmed: (phone: string) => `Confirmed number: ${phone}.`,
  phoneUnconfirmed: (phone: string) => `Number waiting for confirmation: ${phone}.`,
  localeLegend: 'Language of notifications',
  locales: { fr: 'Français', en: 'English' },
  save: 'Save my preferences',
  saved: 'Your preferences are saved.',
  codeSentNotice: 'Your preferences are saved. A code has just been sent to you by SMS: type it below.',
  resentNotice: 'A new code has just been sent to you by SMS.',
  confirmedNotice: 'Your number is confirmed: you will get an SMS for each answer.',
  confirmTitle: 'Confirm your number',
  confirmIntro: (phone: string, minutes: number) =>
    `Type the 6-digit code sent by SMS to ${phone}. It is valid for ${minutes} minutes.`,
  code: 'Code received by SMS',
  confirm: 'Confirm the number',
  resend: 'Send a new code',
  smsCode: (code: string, minutes: number) =>
    `Guichet: your confirmation code is ${code}. It expires in ${minutes} minutes. Do not share it.`,
  errors: {
    emailMode: 'Choose how you are told by e-mail.',
    smsMode: 'Choose whether you are told by SMS.',
    locale: 'Choose the language of notifications: French or English.',
    phoneRequired: 'To be told by SMS, give your mobile phone number.',
    phoneCharacters: 'A phone number may only contain digits, spaces, dots, dashes and a + at the start.',
    phoneShape:
      'This phone number is not complete: a French number has 10 digits (06 12 34 56 78), a foreign one starts with + and the country code.',
    phoneNotMobile: 'This number is not a mobile: in France, SMS go to numbers starting with 06 or 07.',
    phoneTooLong: 'The phone number is too long.',
    codeFormat: 'The code received by SMS has 6 digits.',
    codeWrong: (left: number) =>
      left > 1
        ? `This code is not the right one. You have ${left} tries left.`
        : 'This code is not the right one. You have 1 try left.',
    codeExpired: 'This code has expired or was typed too many times: ask for a new code.',
    noPending: 'No number is waiting for confirmation: give your number first and choose SMS.',
    smsFailed: 'The SMS could not be sent; nothing was changed. Please try again in a few moments.',
  },
};
