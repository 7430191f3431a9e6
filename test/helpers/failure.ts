/** The SupplierError a promise rejects with (the test fails if it resolves or rejects otherwise). */
import { expect } from "vitest";
import { SupplierError } from "../../src/vocabulary/errors.js";

export async function failure(p: Promise<unknown>): Promise<SupplierError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SupplierError);
  return err as SupplierError;
}
