/** node-postgres's parameter encoding (pg/lib/utils.js), which @types/pg does not describe. */
declare module "pg/lib/utils.js" {
  const utils: {
    /** A parameter as node-postgres sends it: text, null, or a Buffer. */
    prepareValue(value: unknown): unknown;
  };
  export default utils;
}
