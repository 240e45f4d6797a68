import type { Db } from '../../db/database.ts';
import { pingDatabase } from '../../db/repositories/health.ts';

/** True when the database answers within `timeoutMs`. */
export async function isDatabaseHealthy(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([pingDatabase(db).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
