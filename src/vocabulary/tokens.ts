/**
 * What a supplier token is: a token the supplier makes and the gateway hands out and takes back
 * as written (a quote's voidOfferId, a void's voidCode): any visible ASCII, up to 256 characters.
 * Seed 002 gives both as plain strings; a base64 offer id such as "v_b8/cf+99==" must be
 * submittable (black-box probe, thirty-first session). A leaf, so the supplier datasources can
 * refuse to hand out a token the schema's inputs would not take back.
 */
export const TOKEN_PATTERN = /^[\x21-\x7E]*$/;
export const TOKEN_MAX = 256;

/** Whether `value` is a supplier token: 1 to TOKEN_MAX visible ASCII characters. */
export const isToken = (value: string): boolean => value.length >= 1 && value.length <= TOKEN_MAX && TOKEN_PATTERN.test(value);

/**
 * The identifier rule of the schema's inputs (order numbers, sub-channels, idempotency keys):
 * 1 to ID_MAX letters, digits, '-' and '_'. Here so that the gateway records no order number it
 * would not take back as an input.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]*$/;
export const ID_MAX = 64;

/**
 * Whether a supplier's answer names the order number sent: without case or surrounding space, as
 * a supplier may write back its own form of a number a client sent in lower case.
 */
export const sameOrderNo = (answered: string, sent: string): boolean =>
  answered === sent || answered.trim().toUpperCase() === sent.toUpperCase();

/** Whether `value` is an identifier a client may send: 1 to ID_MAX letters, digits, '-' and '_'. */
export const isIdentifier = (value: string): boolean => value.length >= 1 && value.length <= ID_MAX && ID_PATTERN.test(value);
