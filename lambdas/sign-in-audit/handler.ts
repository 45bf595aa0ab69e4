// Placeholder entry while the function is written; replaced by the real handler.
export const handler = async (): Promise<unknown> => ({});
