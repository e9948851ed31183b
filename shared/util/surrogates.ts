/**
 * Half a UTF-16 surrogate pair: valid UTF-8 cannot hold one, but a JSON escape (`\ud800`) can,
 * and such text has no UTF-8 form to write.
 */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
