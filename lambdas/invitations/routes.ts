import { ListOf } from '../../schemas/common.js';
import { CreatedInvitation, CreateInvitationBody, Invitation, InvitationListQuery, InvitationParams } from '../../schemas/invitations.js';
import { STAFF_ROLES as STAFF } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

/**
 * Invitations (API.md): served by the `invitations` function. POST is not idempotent by key on
 * purpose: a replay would have to store the code, which is kept only hashed; re-inviting the same
 * email for the same patient replaces the pending invitation instead, which is the safe retry.
 */
export const INVITATION_ROUTES = defineRoutes('invitations', {
  'POST /invitations': {
    operation: 'createInvitation', roles: STAFF, summary: 'Invite a patient or a family member (the code is shown once)',
    body: CreateInvitationBody, response: CreatedInvitation, status: 201,
  },
  'GET /invitations': {
    operation: 'listInvitations', roles: STAFF, summary: "The org's invitations, newest first, optionally by status", query: InvitationListQuery, response: ListOf(Invitation),
  },
  'DELETE /invitations/{invitationId}': {
    operation: 'revokeInvitation', roles: STAFF, summary: 'Revoke a pending invitation', params: InvitationParams, status: 204,
  },
});
