import { defineNeeds } from '../needs.js';

export const NEEDS = defineNeeds({
  notification: {
    resolve: async (r, w) => {
      if (r.ownsResource) {
        const mine = await w.must(w.t.api(r.caller, 'GET', '/me/notifications?limit=1'), 'my notifications');
        if (mine.items.length > 0) return { value: mine.items[0], owned: true };
      }
      const other = await w.must(w.t.api(w.tok(w.someoneElse(r.role, r.rel), 'own'), 'GET', '/me/notifications?limit=1'), 'notifications');
      // Without notifications of someone else (no fan-out yet), an id that is nobody's: also 404.
      return { value: other.items[0] ?? { id: '01NOSUCHNOTIFICATION0000000' }, owned: false };
    },
    placeholder: () => ({ id: '01HOSTILENOTE' }),
  },
  device: {
    // The caller's own device, or one registered by someone else (whose id the caller then tries).
    resolve: async (r, w) => {
      const owner = r.ownsResource ? r.caller : w.tok(w.someoneElse(r.role, r.rel), 'own');
      const d = await w.must(w.t.api(owner, 'POST', '/me/devices', { platform: 'apns', token: `matrix-device-${r.role}-${r.rel}-${r.n}` }), 'device');
      return { value: d.id, owned: r.ownsResource };
    },
    placeholder: () => '0123456789abcdef0123456789abcdef',
  },
});
