// Contributors and occasional access: staff add, (re-)invite and revoke people on the staff case
// page; the main client invites contributors where the template allows; the invitation link
// signs the person in. Who may do what is decided here and in db/contributors.ts.
// The routes are in staff-routes.ts, owner-routes.ts and invitation-routes.ts.
import type { FastifyInstance } from 'fastify';
import { contributorsKit } from './common.js';
import { invitationRoutes } from './invitation-routes.js';
import { ownerContributorRoutes } from './owner-routes.js';
import { staffContributorRoutes } from './staff-routes.js';

export default function contributorRoutes(app: FastifyInstance) {
  const kit = contributorsKit(app);
  // ---- Back-office ----
  staffContributorRoutes(app, kit);
  // ---- The main client ----
  ownerContributorRoutes(app, kit);
  // ---- The invitation link ----
  invitationRoutes(app, kit);
}
