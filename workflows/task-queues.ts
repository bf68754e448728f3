/** The default task queue; deployments may rename it with TEMPORAL_TASK_QUEUE. */
export const DEFAULT_TASK_QUEUE = 'guichet';
