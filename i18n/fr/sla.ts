// French: response times (expected answer, satisfaction question, at-risk list; the reminders and alerts written into Redmine are in i18n/notes).

export const sla = {
  expectedBy: (date: string) => `Réponse attendue au plus tard le ${date}.`,
  question: 'Notre réponse a-t-elle réglé votre demande ?',
  yes: 'Oui, ma demande est résolue',
  no: 'Non, j’ai encore besoin d’aide',
  thanksResolved: 'Merci ! Votre demande est résolue.',
  reopened: 'Votre demande est rouverte : nous revenons vers vous.',
  satisfactionSubject: (subject: string) => `Votre demande est-elle résolue ? ${subject}`,
  satisfactionBody:
    'Nous pensons avoir répondu à votre demande. Merci de nous dire dans votre espace client si elle est résolue. Sans retour de votre part sous 72 heures, elle sera considérée comme résolue.',
  autoResolvedSubject: (subject: string) => `Votre demande a été résolue : ${subject}`,
  autoResolvedBody:
    'Sans retour de votre part 72 heures après notre question, votre demande a été passée en « résolue ». Vous pouvez toujours nous écrire depuis votre espace client.',
  atRisk: 'À risque',
  breached: 'Hors délai',
  askSatisfaction: 'Demander au client si sa demande est résolue',
  maxColumn: 'Délai maximal',
  assignee: 'Assigné à',
  riskLink: 'Délais à risque',
  everyone: 'Tout le monde',
  unassigned: 'Non assigné (équipe)',
  riskSummary: (atRisk: number, breached: number) => `${atRisk} à risque, ${breached} hors délai.`,
  answerRequired: 'Merci de choisir une réponse.',
};
