// English: answer notifications grouped after the grace window or in the daily summary, the answer
// SMS, and the one-click unsubscribe page.
import type * as French from '../fr/answer-mail.js';

export const answerMail: typeof French.answerMail = {
  batchSubject: (count: number) => `${count} new answers in your client space`,
  dailySubject: (count: number) =>
    count === 1 ? 'Your daily summary: 1 new answer' : `Your daily summary: ${count} new answers`,
  batchIntro: (count: number) => `You have ${count} new answers:`,
  dailyIntro: 'Here are the answers received today, request by request:',
  conversationHeading: (subject: string) => `Your request “${subject}”`,
  unsubscribe: (url: string) => `Stop receiving these e-mails: ${url}`,
  copyNote: 'You receive this e-mail as a copy of this request.',
  sms: (subjects: string, url: string) => `Guichet: new answer (${subjects}). ${url}`,
  smsMany: (count: number, url: string) => `Guichet: ${count} new answers to your requests. ${url}`,
  unsubscribePage: {
    title: 'Stop receiving answer e-mails',
    intro: 'You will no longer receive an e-mail when our team answers you. Password and security e-mails keep coming.',
    button: 'Stop receiving these e-mails',
    done: 'Done: you will no longer receive e-mails for our answers. You can change this choice in your client space.',
    unknown: 'This unsubscribe link is not valid.',
  },
};
