import type { Role } from '../../../../schemas/roles.js';
import { defineNeeds } from '../needs.js';

export const NEEDS = defineNeeds({
  conversation: {
    resolve: async (r, w) => {
      const owned = r.ownsResource && r.role !== 'compliance';
      return {
        owned,
        value: await w.once(`conversation:${r.rel}:${r.role}`, async () => {
          if (owned) {
            const colleague = w.uid(r.role === 'aide' ? 'coordinator' : 'aide', r.org);
            const c = await w.must(w.t.api(r.caller, 'POST', '/conversations', { participantIds: [colleague] }), 'own conversation');
            const m = await w.must(w.t.api(r.caller, 'POST', `/conversations/${c.id}/messages`, { body: 'hello' }), 'first message');
            return { id: c.id, messageId: m.id };
          }
          const creator = w.someoneElse(r.role, r.rel);
          const other = (['aide', 'clinician', 'family'] as Role[]).find((x) => x !== r.role)!;
          const c = await w.must(w.t.api(w.tok(creator, 'own'), 'POST', '/conversations', { participantIds: [w.uid(other, 'own')] }), 'foreign conversation');
          const m = await w.must(w.t.api(w.tok(creator, 'own'), 'POST', `/conversations/${c.id}/messages`, { body: 'hello' }), 'first message');
          return { id: c.id, messageId: m.id };
        }),
      };
    },
    placeholder: () => ({ id: '01HOSTILECONV', messageId: '01HOSTILEMSG' }),
  },
  // The row's conversation, which staff of its org reach too (a legal hold, its GET: API.md, "Message retention").
  orgConversation: {
    resolve: async (r) => {
      const made = await r.need('conversation');
      return { value: made.value, owned: made.owned === true || (['admin', 'coordinator'].includes(r.role) && r.rel !== 'otherOrg') };
    },
    placeholder: () => ({ id: '01HOSTILECONV' }),
  },
  attachment: {
    resolve: async (r, w) => {
      const owned = r.ownsResource && r.role !== 'compliance';
      const uploader = owned ? r.caller : w.tok(w.someoneElse(r.role, r.rel), 'own');
      const a = await w.must(w.t.api(uploader, 'POST', '/attachments', { fileName: `m${r.n}.pdf`, contentType: 'application/pdf', size: 100 }), 'attachment');
      return { value: a.attachmentId, owned };
    },
    placeholder: () => '01HOSTILEATT',
  },
});
