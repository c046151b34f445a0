/** Outbox: notifications are queued inside the domain transaction and delivered after commit. */
export interface NotificationsTable {
  id: string;
  channel: 'email' | 'webhook';
  /** Email address or webhook URL. */
  target: string;
  kind: string;
  subject: string;
  body: string;
  /** JSON payload (webhooks). */
  payload: string;
  /** Webhooks: the subscription whose secret signs the body. */
  subscription_id: string | null;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  secret: string;
  /** JSON array of event kinds, or ["*"]. */
  events: string;
  active: number;
  created_at: string;
  created_by: string | null;
}

export interface NotificationsTables {
  notifications: NotificationsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
}
