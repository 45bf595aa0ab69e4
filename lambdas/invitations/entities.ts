/** The invitations domain's item types: type name, keys and mapping in one place each. */
import { entity } from '../shared/data/entity.js';
import { InvitationCodeKeys, InvitationKeys, InviteeKeys, SignUpKeys } from './keys.js';

export const InvitationEntity = entity('Invitation', InvitationKeys);
export const InvitationCodeEntity = entity('InvitationCode', InvitationCodeKeys);
export const InviteeEntity = entity('Invitee', InviteeKeys);
export const SignUpEntity = entity('SignUp', SignUpKeys);
