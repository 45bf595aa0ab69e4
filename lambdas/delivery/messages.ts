/**
 * What goes off the app: one short, generic line per notification type and a link into the app.
 * Never the inbox item's title or body, never a name, medication, value or incident detail: an
 * SMS, a lock-screen push or an email is read by whoever holds the phone or the mailbox. The
 * message is built from the type and the notification's id only (the signature admits nothing else).
 */
export interface OffAppMessage {
  /** Email subject and push title. */
  subject: string;
  /** The one line (push body). */
  line: string;
  /** Email and SMS text: the line and the link. */
  text: string;
  /** Where the app opens the notification. */
  link: string;
}

export const GENERIC_LINE = 'You have a new notification';

/**
 * The message for a notification of `type`: its domain's line (`offApp` in the descriptor, joined
 * in OFF_APP of lambdas/platform-registry.ts), or the generic line for a type without one.
 */
export function renderOffApp(type: string, notificationId: string, appUrl: string, lines: Readonly<Record<string, string>>): OffAppMessage {
  const line = lines[type] ?? GENERIC_LINE;
  const link = `${appUrl.replace(/\/+$/, '')}/notifications/${encodeURIComponent(notificationId)}`;
  return { subject: `CareStack: ${line}`, line, text: `${line}. Open CareStack to see it: ${link}`, link };
}
