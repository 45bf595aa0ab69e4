/**
 * Parsed JSON as a test reads it before its assertions check it: an HTTP response body, a
 * synthesised CloudFormation template's properties, a GraphQL payload.
 *
 * This is the one place in test/ that names `any`, on purpose: it is exactly what `JSON.parse`
 * returns, and the test's `expect(...)` on the value is the check of its shape; typing every
 * response here would copy `schemas/` into the tests. Helpers default their body type to it; a
 * test that wants the compiler's help passes a real type (`call<Patient>(...)`). Callbacks over
 * such values, casts and fakes name the fields they read instead (eslint: no-explicit-any).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON; the test's assertions check its shape
export type Json = any;
