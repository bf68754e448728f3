// The worker's activities. Workflows import the type only.
import { createConversationActivities, type ConversationActivityDeps } from './conversations.js';
import { createNotificationActivities, type NotificationActivityDeps } from './notifications.js';

export type ActivityDeps = ConversationActivityDeps & NotificationActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createConversationActivities(deps),
    ...createNotificationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { MessageRef } from './conversations.js';
