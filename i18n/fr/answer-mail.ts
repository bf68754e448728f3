// French: answer notifications grouped after the grace window or in the daily summary, the answer
// SMS, and the one-click unsubscribe page.

export const answerMail = {
  batchSubject: (count: number) => `${count} nouvelles réponses dans votre espace client`,
  dailySubject: (count: number) =>
    count === 1 ? 'Votre résumé du jour : 1 nouvelle réponse' : `Votre résumé du jour : ${count} nouvelles réponses`,
  batchIntro: (count: number) => `Vous avez ${count} nouvelles réponses :`,
  dailyIntro: 'Voici les réponses reçues aujourd’hui, demande par demande :',
  conversationHeading: (subject: string) => `Votre demande « ${subject} »`,
  unsubscribe: (url: string) => `Ne plus recevoir ces e-mails : ${url}`,
  copyNote: 'Vous recevez cet e-mail en copie de cette demande.',
  sms: (subjects: string, url: string) => `Guichet : nouvelle réponse (${subjects}). ${url}`,
  smsMany: (count: number, url: string) => `Guichet : ${count} nouvelles réponses à vos demandes. ${url}`,
  unsubscribePage: {
    title: 'Ne plus recevoir les e-mails de réponse',
    intro:
      'Vous ne recevrez plus d’e-mail quand nos équipes vous répondent. Les e-mails de mot de passe et de sécurité continuent d’arriver.',
    button: 'Ne plus recevoir ces e-mails',
    done: 'C’est fait : vous ne recevrez plus d’e-mail pour nos réponses. Vous pouvez changer ce choix dans votre espace client.',
    unknown: 'Ce lien de désinscription n’est pas valable.',
  },
};
