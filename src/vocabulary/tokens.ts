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
