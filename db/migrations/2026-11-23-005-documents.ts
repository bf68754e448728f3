// Document collection (seeds 000 and 002): procedure templates with their categories (the
// pieces each accepts, requirement rules, refusal reasons, the role each piece is asked of),
// cases found by their external number, the documents deposited and their review, and the
// comments a client sends to the agency. The shipped templates are seeded here once; after
// that they are data an administrator edits. Frozen: never import application types here.
import { sql, type Kysely } from 'kysely';

type Text = { fr: string; en: string };
type Rule =
  | { kind: 'required' }
  | { kind: 'optional' }
  | { kind: 'requiredWhen'; all: Array<{ fact: string; op: 'eq' | 'gte'; value: string | number }> };
interface SeedPiece {
  code: string;
  label: Text;
  role: string;
  rule: Rule;
}
interface SeedCategory {
  code: string;
  label: Text;
  accepts: Text[];
  refusals: Array<{ code: string } & Text>;
  pieces: SeedPiece[];
}
interface SeedTemplate {
  slug: string;
  name: Text;
  sector: 'finance' | 'property_management';
  roles: Array<{ code: string } & Text>;
  categories: SeedCategory[];
}

const t = (fr: string, en: string): Text => ({ fr, en });
const required: Rule = { kind: 'required' };
const optional: Rule = { kind: 'optional' };
const illegible = { code: 'illisible', ...t('Document illisible ou incomplet', 'Illegible or incomplete document') };
const expired = { code: 'perime', ...t('Document périmé', 'Expired document') };
const wrongPerson = {
  code: 'mauvaise-personne',
  ...t('Le document ne concerne pas la bonne personne', 'The document is about someone else'),
};
const wrongCategory = {
  code: 'mauvaise-categorie',
  ...t('Ce document n’a pas sa place dans cette catégorie', 'This document does not belong in this category'),
};

function identity(roles: string[]): SeedCategory {
  return {
    code: 'identite',
    label: t('Identité', 'Identity'),
    accepts: [
      t('Carte nationale d’identité (recto et verso)', 'National identity card (both sides)'),
      t('Passeport', 'Passport'),
      t('Titre de séjour', 'Residence permit'),
      t('Extrait Kbis de moins de 3 mois (entreprise)', 'Company registration (Kbis) under 3 months old'),
    ],
    refusals: [
      illegible,
      expired,
      wrongPerson,
      { code: 'verso-manquant', ...t('Le verso de la pièce manque', 'The back of the document is missing') },
      wrongCategory,
    ],
    pieces: roles.map((role) => ({
      code: `identite-${role}`,
      label: t('Pièce d’identité en cours de validité', 'Valid identity document'),
      role,
      rule: required,
    })),
  };
}

function home(roles: string[]): SeedCategory {
  return {
    code: 'domicile',
    label: t('Domicile', 'Address'),
    accepts: [
      t(
        'Facture d’électricité, de gaz, d’eau ou de téléphone de moins de 3 mois',
        'Electricity, gas, water or phone bill under 3 months old',
      ),
      t('Avis de taxe d’habitation ou quittance de loyer', 'Housing tax notice or rent receipt'),
      t(
        'Attestation d’hébergement avec la pièce d’identité du logeur',
        'Certificate of free accommodation with the host’s identity document',
      ),
    ],
    refusals: [
      illegible,
      { code: 'trop-ancien', ...t('Justificatif de plus de 3 mois', 'Proof older than 3 months') },
      wrongPerson,
      {
        code: 'identite-logeur',
        ...t('La pièce d’identité du logeur manque', 'The host’s identity document is missing'),
      },
      wrongCategory,
    ],
    pieces: roles.map((role) => ({
      code: `domicile-${role}`,
      label: t('Justificatif de domicile de moins de 3 mois', 'Proof of address under 3 months old'),
      role,
      rule: required,
    })),
  };
}

function income(roles: string[]): SeedCategory {
  return {
    code: 'emploi-revenus',
    label: t('Emploi et revenus', 'Employment and income'),
    accepts: [
      t('Trois derniers bulletins de salaire', 'Last three payslips'),
      t('Dernier avis d’imposition', 'Last tax notice'),
      t('Liasse fiscale (indépendants)', 'Tax return package (self-employed)'),
      t('Contrat de travail ou attestation employeur', 'Employment contract or employer’s certificate'),
    ],
    refusals: [
      illegible,
      { code: 'incomplet', ...t('Il manque des bulletins de salaire', 'Payslips are missing') },
      { code: 'avis-ancien', ...t('Avis d’imposition trop ancien', 'Tax notice too old') },
      wrongPerson,
      wrongCategory,
    ],
    pieces: roles.flatMap((role) => [
      {
        code: `bulletins-${role}`,
        label: t('Trois derniers bulletins de salaire', 'Last three payslips'),
        role,
        rule: required,
      },
      {
        code: `avis-imposition-${role}`,
        label: t('Dernier avis d’imposition', 'Last tax notice'),
        role,
        rule: required,
      },
    ]),
  };
}

function rib(role: string): SeedCategory {
  return {
    code: 'rib',
    label: t('RIB', 'Bank details (RIB)'),
    accepts: [
      t(
        'Le RIB du client payeur, c’est-à-dire du compte qui sera prélevé des échéances, et lui seul',
        'The RIB of the paying client only: the account the instalments are debited from',
      ),
    ],
    refusals: [
      illegible,
      {
        code: 'mauvais-titulaire',
        ...t('Le titulaire du compte n’est pas le client payeur', 'The account holder is not the paying client'),
      },
      wrongCategory,
    ],
    pieces: [{ code: 'rib', label: t('RIB du compte prélevé', 'RIB of the debited account'), role, rule: required }],
  };
}

function statements(roles: string[]): SeedCategory {
  return {
    code: 'releves-compte',
    label: t('Relevés de compte', 'Bank statements'),
    accepts: [
      t(
        'Relevés du ou des comptes bancaires des clients, demandés par l’agence commerciale',
        'Statements of the clients’ bank account(s), as asked by the agency',
      ),
    ],
    refusals: [
      illegible,
      { code: 'periode', ...t('La période demandée n’est pas couverte', 'The requested period is not covered') },
      wrongPerson,
      wrongCategory,
    ],
    pieces: roles.map((role) => ({
      code: `releves-${role}`,
      label: t('Trois derniers relevés de compte', 'Last three bank statements'),
      role,
      rule: required,
    })),
  };
}

const TEMPLATES: SeedTemplate[] = [
  {
    slug: 'credit-bail-vehicule',
    name: t('Crédit et location de véhicule', 'Vehicle credit and lease'),
    sector: 'finance',
    roles: [
      { code: 'emprunteur', ...t('Emprunteur', 'Borrower') },
      { code: 'co-emprunteur', ...t('Co-emprunteur', 'Co-borrower') },
    ],
    categories: [
      identity(['emprunteur']),
      home(['emprunteur']),
      rib('emprunteur'),
      income(['emprunteur']),
      {
        code: 'infos-vehicule',
        label: t('Infos véhicule', 'Vehicle'),
        accepts: [
          t('Bon de commande', 'Purchase order'),
          t(
            'CPI (certificat provisoire d’immatriculation) ou copie de la carte grise',
            'Temporary registration certificate or copy of the registration document',
          ),
          t('PV de livraison', 'Delivery report'),
        ],
        refusals: [
          illegible,
          { code: 'non-signe', ...t('Document non signé', 'Document not signed') },
          {
            code: 'vehicule',
            ...t('Le document ne concerne pas le véhicule financé', 'The document is not about the financed vehicle'),
          },
          wrongCategory,
        ],
        pieces: [
          {
            code: 'bon-commande',
            label: t('Bon de commande signé', 'Signed purchase order'),
            role: 'emprunteur',
            rule: required,
          },
          {
            code: 'carte-grise',
            label: t('CPI ou carte grise', 'Registration certificate'),
            role: 'emprunteur',
            rule: required,
          },
          { code: 'pv-livraison', label: t('PV de livraison', 'Delivery report'), role: 'emprunteur', rule: optional },
        ],
      },
      {
        code: 'pieces-contractuelles',
        label: t('Pièces contractuelles', 'Contract documents'),
        accepts: [
          t('Offre de contrat signée', 'Signed contract offer'),
          t('Facture définitive du bien', 'Final invoice of the vehicle'),
          t(
            'Assurances, mandat SEPA, engagement ou convention de reprise',
            'Insurance, SEPA mandate, trade-in agreement',
          ),
        ],
        refusals: [
          illegible,
          { code: 'non-signe', ...t('Document non signé', 'Document not signed') },
          { code: 'page-manquante', ...t('Une page manque', 'A page is missing') },
          wrongCategory,
        ],
        pieces: [
          {
            code: 'offre-contrat',
            label: t('Offre de contrat signée', 'Signed contract offer'),
            role: 'emprunteur',
            rule: required,
          },
          {
            code: 'mandat-sepa',
            label: t('Mandat SEPA signé', 'Signed SEPA mandate'),
            role: 'emprunteur',
            rule: required,
          },
          { code: 'facture', label: t('Facture définitive', 'Final invoice'), role: 'emprunteur', rule: optional },
        ],
      },
      {
        code: 'apport',
        label: t('Apport', 'Down payment'),
        accepts: [
          t(
            'Justificatif de l’apport demandé (relevé, attestation de virement, chèque de banque)',
            'Proof of the down payment (statement, transfer certificate, bank cheque)',
          ),
        ],
        refusals: [
          illegible,
          {
            code: 'montant',
            ...t('Le montant ne correspond pas à l’apport prévu', 'The amount does not match the planned down payment'),
          },
          wrongCategory,
        ],
        pieces: [
          {
            code: 'justificatif-apport',
            label: t('Justificatif d’apport', 'Proof of down payment'),
            role: 'emprunteur',
            // Seed 000: mandatory in leasing for a down payment of 15,000 € or more.
            rule: {
              kind: 'requiredWhen',
              all: [
                { fact: 'financing', op: 'eq', value: 'lease' },
                { fact: 'downPayment', op: 'gte', value: 15000 },
              ],
            },
          },
        ],
      },
      statements(['emprunteur']),
    ],
  },
  {
    slug: 'demande-location',
    name: t('Demande de location', 'Rental application'),
    // A property manager may not ask a tenant for bank statements (loi du 6 juillet 1989, décret 2015-1437).
    sector: 'property_management',
    roles: [
      { code: 'locataire', ...t('Locataire', 'Tenant') },
      { code: 'garant', ...t('Garant', 'Guarantor') },
    ],
    categories: [
      identity(['locataire', 'garant']),
      home(['locataire', 'garant']),
      {
        code: 'situation-professionnelle',
        label: t('Situation professionnelle', 'Employment'),
        accepts: [
          t('Contrat de travail ou attestation employeur', 'Employment contract or employer’s certificate'),
          t('Carte d’étudiant', 'Student card'),
          t('Extrait Kbis (indépendants)', 'Company registration (self-employed)'),
        ],
        refusals: [illegible, expired, wrongPerson, wrongCategory],
        pieces: [
          {
            code: 'situation-locataire',
            label: t('Justificatif de situation professionnelle', 'Proof of employment'),
            role: 'locataire',
            rule: required,
          },
          {
            code: 'situation-garant',
            label: t('Justificatif de situation professionnelle', 'Proof of employment'),
            role: 'garant',
            rule: required,
          },
        ],
      },
      {
        code: 'ressources',
        label: t('Ressources', 'Income'),
        accepts: [
          t('Trois derniers bulletins de salaire', 'Last three payslips'),
          t('Dernier avis d’imposition', 'Last tax notice'),
          t('Justificatif de bourse ou de pension', 'Grant or pension statement'),
        ],
        refusals: [
          illegible,
          { code: 'incomplet', ...t('Il manque des justificatifs', 'Documents are missing') },
          wrongPerson,
          wrongCategory,
        ],
        pieces: [
          {
            code: 'ressources-locataire',
            label: t('Trois derniers justificatifs de ressources', 'Last three proofs of income'),
            role: 'locataire',
            rule: required,
          },
          {
            code: 'avis-imposition-locataire',
            label: t('Dernier avis d’imposition', 'Last tax notice'),
            role: 'locataire',
            rule: required,
          },
          {
            code: 'ressources-garant',
            label: t('Trois derniers justificatifs de ressources', 'Last three proofs of income'),
            role: 'garant',
            rule: required,
          },
          {
            code: 'avis-imposition-garant',
            label: t('Dernier avis d’imposition', 'Last tax notice'),
            role: 'garant',
            rule: required,
          },
        ],
      },
      {
        code: 'garantie',
        label: t('Garantie', 'Guarantee'),
        accepts: [t('Acte de cautionnement signé', 'Signed guarantee deed'), t('Visa Visale', 'Visale certificate')],
        refusals: [illegible, { code: 'non-signe', ...t('Document non signé', 'Document not signed') }, wrongCategory],
        pieces: [
          {
            code: 'acte-caution',
            label: t('Acte de cautionnement ou visa Visale', 'Guarantee deed or Visale certificate'),
            role: 'garant',
            rule: required,
          },
        ],
      },
    ],
  },
  {
    slug: 'demande-pret',
    name: t('Demande de prêt', 'Loan application'),
    sector: 'finance',
    roles: [
      { code: 'emprunteur', ...t('Emprunteur', 'Borrower') },
      { code: 'co-emprunteur', ...t('Co-emprunteur', 'Co-borrower') },
    ],
    categories: [
      identity(['emprunteur', 'co-emprunteur']),
      home(['emprunteur']),
      rib('emprunteur'),
      income(['emprunteur', 'co-emprunteur']),
      statements(['emprunteur', 'co-emprunteur']),
    ],
  },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('document_templates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull().check(sql`sector in ('finance', 'property_management')`))
    .addColumn('roles', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // Reminders of missing pieces: these days after the collection starts, then every N days.
    .addColumn('reminder_days', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{2,5,10}'`))
    .addColumn('reminder_every_days', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(7)
        .check(sql`reminder_every_days > 0`),
    )
    // Deposits within this window make one e-mail to the agency.
    .addColumn('digest_minutes', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(5)
        .check(sql`digest_minutes >= 0`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('document_categories')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('template_id', 'uuid', (c) => c.notNull().references('document_templates.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('label_en', 'text', (c) => c.notNull())
    .addColumn('accepts', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('refusal_reasons', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('pieces', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addUniqueConstraint('document_categories_code_uq', ['template_id', 'code'])
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('space_id', 'uuid', (c) => c.notNull().references('spaces.id'))
    .addColumn('template_id', 'uuid', (c) => c.notNull().references('document_templates.id'))
    .addColumn('client_account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    // The external reference (TELEFI, EKIP…), as the client and staff type it.
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'complete', 'closed')`),
    )
    .addColumn('redmine_issue_id', 'integer')
    .addColumn('collection_started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cases_number_uq').on('cases').columns(['space_id', 'number']).unique().execute();
  await sql`create index cases_number_lower_idx on cases (lower(number))`.execute(db);
  await db.schema.createIndex('cases_client_idx').on('cases').column('client_account_id').execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('category_id', 'uuid', (c) => c.notNull().references('document_categories.id'))
    .addColumn('piece_code', 'text')
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('page_count', 'integer')
    .addColumn('source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('upload')
        .check(sql`source in ('upload', 'split')`),
    )
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'validated', 'rejected')`),
    )
    .addColumn('deposited_by', 'uuid', (c) => c.references('accounts.id'))
    .addColumn('reviewed_by', 'uuid', (c) => c.references('accounts.id'))
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('rejection_reason', 'text')
    .addColumn('review_comment', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('documents_case_idx').on('documents').columns(['case_id', 'created_at']).execute();

  await db.schema
    .createTable('case_comments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('author_account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('case_comments_case_idx')
    .on('case_comments')
    .columns(['case_id', 'created_at'])
    .execute();

  for (const template of TEMPLATES) {
    const row: { id: string } = await db
      .insertInto('document_templates')
      .values({
        slug: template.slug,
        name: template.name.fr,
        name_en: template.name.en,
        sector: template.sector,
        roles: JSON.stringify(template.roles),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('document_categories')
      .values(
        template.categories.map((c, position) => ({
          template_id: row.id,
          position,
          code: c.code,
          label: c.label.fr,
          label_en: c.label.en,
          accepts: JSON.stringify(c.accepts),
          refusal_reasons: JSON.stringify(c.refusals),
          pieces: JSON.stringify(c.pieces),
        })),
      )
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_comments').ifExists().execute();
  await db.schema.dropTable('documents').ifExists().execute();
  await db.schema.dropTable('cases').ifExists().execute();
  await db.schema.dropTable('document_categories').ifExists().execute();
  await db.schema.dropTable('document_templates').ifExists().execute();
}
