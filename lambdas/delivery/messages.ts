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

/** The line per type. A type not listed gets the generic line. */
export const OFF_APP_LINES: Readonly<Record<string, string>> = {
  IncidentReported: 'An incident report needs your attention',
  IncidentUpdated: 'An incident report was updated',
  IncidentReportOverdue: 'An incident report is overdue',
  DoseDue: 'You have a medication reminder',
  DoseMissed: 'A medication reminder needs your attention',
  LabResultPublished: 'A new result is available',
  LabResultCritical: 'A result needs your attention',
  LabResultCriticalUnacknowledged: 'A result still needs your attention',
  AppointmentBooked: 'You have a new appointment',
  AppointmentUpdated: 'An appointment has changed',
  AppointmentReminder: 'You have an upcoming appointment',
  MessageSent: 'You have a new message',
  VisitLate: 'A visit is running late',
  VisitMissed: 'A visit needs your attention',
  VisitUpdated: 'A visit was updated',
  RespiteSessionUpdated: 'A respite session was updated',
  RespiteReminder: 'You have an upcoming respite session',
  RespiteOfferMade: 'You have a respite offer to answer',
  RespiteSessionLate: 'A respite session needs your attention',
  SupplyLow: 'A supply is running low',
};

export const GENERIC_LINE = 'You have a new notification';

/**
 * Urgent types go at once, also during quiet hours (API.md): a missed dose, a critical result
 * (every `LabResultCritical*`), an overdue incident report, a missed visit.
 */
export function isUrgent(type: string): boolean {
  return type === 'DoseMissed' || type.startsWith('LabResultCritical') || type === 'IncidentReportOverdue' || type === 'VisitMissed';
}

export function renderOffApp(type: string, notificationId: string, appUrl: string): OffAppMessage {
  const line = OFF_APP_LINES[type] ?? GENERIC_LINE;
  const link = `${appUrl.replace(/\/+$/, '')}/notifications/${encodeURIComponent(notificationId)}`;
  return { subject: `CareStack: ${line}`, line, text: `${line}. Open CareStack to see it: ${link}`, link };
}
