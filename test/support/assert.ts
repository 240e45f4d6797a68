import { expect } from 'chai';

/** Awaits a promise that must reject, and returns the error for further checks. */
export async function rejection(promise: Promise<unknown>, message?: RegExp): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    if (message) expect(String((error as Error).message)).to.match(message);
    return error as Error & Record<string, unknown>;
  }
  expect.fail('expected the promise to reject');
}
