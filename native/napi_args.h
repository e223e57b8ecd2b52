/*
 * Argument and result helpers of the binding: the protocol's values arrive as lower-case hex
 * text, and anything malformed gives false or null rather than an exception.
 */
#ifndef BLOCKCHAT_NAPI_ARGS_H
#define BLOCKCHAT_NAPI_ARGS_H

#include <node_api.h>
#include <stddef.h>

static int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/*
 * Decodes exactly `bytes` bytes of lower-case hex from a JS string; 0 if it is anything else.
 *
 * The string is read as UTF-8, never as Latin-1: N-API's Latin-1 read keeps only the low byte
 * of each UTF-16 unit, so "ı" (U+0131) would read as "1" and "Ķ" (U+0136) as "6", and a string
 * that is not hex would parse as a valid key or signature. In UTF-8 every character outside
 * ASCII takes two or more bytes of 0x80 and above, none of them a hex digit. The whole string's
 * length is asked first: a read into a buffer of the wanted size stops before a character that
 * does not fit whole, so "<64 hex digits>ı" would otherwise read as exactly 64 hex digits.
 */
static int hex_arg(napi_env env, napi_value value, unsigned char *out, size_t bytes) {
  char text[2 * 65 + 1];
  size_t len = 0;
  if (2 * bytes + 1 > sizeof text) return 0;
  /* a non-string fails here (napi_string_expected) */
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok || len != 2 * bytes) return 0;
  if (napi_get_value_string_utf8(env, value, text, 2 * bytes + 1, &len) != napi_ok || len != 2 * bytes) return 0;
  for (size_t i = 0; i < 2 * bytes; i++) {
    if (hex_digit((unsigned char)text[i]) < 0) return 0;
  }
  for (size_t i = 0; i < bytes; i++) {
    out[i] = (unsigned char)(hex_digit((unsigned char)text[2 * i]) * 16 + hex_digit((unsigned char)text[2 * i + 1]));
  }
  return 1;
}

static napi_value js_bool(napi_env env, int b) {
  napi_value v;
  napi_get_boolean(env, b != 0, &v);
  return v;
}

static napi_value js_null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

/* `len` bytes (at most 64) as a lower-case hex string; null if it cannot be made. */
static napi_value js_hex(napi_env env, const unsigned char *bytes, size_t len) {
  static const char digits[] = "0123456789abcdef";
  char text[128];
  napi_value out;
  if (len > 64) return js_null(env);
  for (size_t i = 0; i < len; i++) {
    text[2 * i] = digits[bytes[i] >> 4];
    text[2 * i + 1] = digits[bytes[i] & 15];
  }
  if (napi_create_string_latin1(env, text, 2 * len, &out) != napi_ok) return js_null(env);
  return out;
}

#endif
