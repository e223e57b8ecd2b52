/*
 * Argument and result helpers shared by the binding's C files: the protocol's values arrive as
 * lower-case hex text, and anything malformed gives false or null rather than an exception.
 */
#ifndef BLOCKCHAT_NAPI_ARGS_H
#define BLOCKCHAT_NAPI_ARGS_H

#include <node_api.h>
#include <stddef.h>

/* Decodes exactly `bytes` bytes of lower-case hex from a JS string; 0 if it is anything else. */
static int hex_arg(napi_env env, napi_value value, unsigned char *out, size_t bytes) {
  char text[2 * 65 + 2];
  size_t len = 0;
  if (2 * bytes + 1 > sizeof text) return 0;
  if (napi_get_value_string_latin1(env, value, text, 2 * bytes + 2, &len) != napi_ok) return 0;
  if (len != 2 * bytes) return 0;
  for (size_t i = 0; i < bytes; i++) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      char c = text[2 * i + k];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else return 0;
      v = v * 16 + d;
    }
    out[i] = (unsigned char)v;
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

#endif
