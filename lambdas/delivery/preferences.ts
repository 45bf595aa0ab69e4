import { createHash } from 'node:crypto';
import type { Device, NotificationPreferences, PutNotificationPreferencesBody, RegisterDeviceBody } from '../../schemas/delivery.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { NotFoundError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import type { DeliveryRepository, StoredPreferences } from './repository.js';

/**
 * Until a user saves preferences: push on (it reaches nobody until the user registers a device,
 * which is itself the opt-in), email and SMS off (an address or number alone is no consent).
 */
export const DEFAULT_PREFERENCES: StoredPreferences = {
  channels: { email: false, sms: false, push: true },
  mutedTypes: [],
  version: 0,
  updatedAt: null,
};


/** A device's id: derived from platform and token, so the same token registers once. */
export const deviceId = (platform: string, token: string) => createHash('sha256').update(`${platform}\n${token}`).digest('hex').slice(0, 32);

/**
 * `/me/notification-preferences` and `/me/devices`: the caller's own, always (keys are built from
 * the caller's id, so another user's device is simply not found).
 */
export class PreferencesService {
  constructor(
    private readonly repo: DeliveryRepository,
    /** Every notification type the platform knows: what `mutedTypes` may name (lambdas/registry.ts). */
    private readonly notificationTypes: ReadonlySet<string>,
  ) {}

  async get(ctx: Pick<WriteContext, 'orgId' | 'actorId'>): Promise<NotificationPreferences> {
    return view((await this.repo.preferences(ctx.orgId, ctx.actorId)) ?? DEFAULT_PREFERENCES);
  }

  async put(ctx: WriteContext, body: PutNotificationPreferencesBody): Promise<NotificationPreferences> {
    const details: ErrorDetail[] = [];
    (body.mutedTypes ?? []).forEach((type, i) => {
      if (!this.notificationTypes.has(type)) details.push({ path: `body.mutedTypes.${i}`, message: `unknown notification type ${type}` });
    });
    if (body.channels.sms && !body.phoneNumber) details.push({ path: 'body.phoneNumber', message: 'required when channels.sms is true' });
    if (details.length) throw new ValidationError('Invalid body', details);
    const saved = await this.repo.savePreferences(ctx, {
      channels: { email: body.channels.email ?? false, sms: body.channels.sms ?? false, push: body.channels.push ?? false },
      ...(body.phoneNumber ? { phoneNumber: body.phoneNumber } : {}),
      ...(body.quietHours ? { quietHours: body.quietHours } : {}),
      mutedTypes: [...new Set(body.mutedTypes ?? [])],
    });
    return view(saved);
  }

  async registerDevice(ctx: WriteContext, body: RegisterDeviceBody): Promise<Device> {
    const device = await this.repo.addDevice(ctx, { id: deviceId(body.platform, body.token), platform: body.platform, token: body.token });
    return { id: device.id, platform: device.platform, version: device.version, createdAt: device.createdAt, updatedAt: device.updatedAt };
  }

  async removeDevice(ctx: WriteContext, id: string): Promise<void> {
    if (!(await this.repo.removeDevice(ctx, ctx.actorId, id))) throw new NotFoundError('Device not found');
  }
}

const view = (p: StoredPreferences): NotificationPreferences => ({
  channels: p.channels,
  ...(p.phoneNumber ? { phoneNumber: p.phoneNumber } : {}),
  ...(p.quietHours ? { quietHours: p.quietHours } : {}),
  mutedTypes: p.mutedTypes,
  version: p.version,
  updatedAt: p.updatedAt,
});
