/*
 * BlockChat's binding to the system's libsecp256k1 (Debian: libsecp256k1-dev, 0.2 or later).
 *
 * Why a binding of our own: the `secp256k1` npm package bundles a libsecp256k1 of 2019, and
 * signing and verification are most of a node's work (every node verifies every transaction).
 * Release 0.2 signs and verifies about a quarter faster (safegcd inversions), and taking the
 * hex text the protocol carries, with public keys parsed once, saves the buffers the package's
 * calling convention needs.
 *
 * Everything here is a pure function of its arguments: deterministic RFC 6979 signing (no extra
 * entropy, as noble), low-S only (libsecp256k1 signs low-S and refuses high-S when verifying).
 * Malformed input (wrong length, upper-case or non-hex text, a scalar out of range, a point off
 * the curve) gives false or null, never an exception.
 */
#include <node_api.h>
#include <secp256k1.h>
#include <string.h>

#include "napi_args.h"

static secp256k1_context *ctx;

/* verify_tables.c: verification with a precomputed table per public key */
int blockchat_define_tables(napi_env env, napi_value exports);

/* parsePoint(hex: string) -> Buffer(64) | null: a compressed (33-byte) point, parsed once. */
static napi_value parse_point(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  unsigned char bytes[33];
  secp256k1_pubkey key;
  void *data;
  napi_value out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return js_null(env);
  if (!hex_arg(env, argv[0], bytes, 33) || (bytes[0] != 2 && bytes[0] != 3)) return js_null(env);
  if (!secp256k1_ec_pubkey_parse(ctx, &key, bytes, 33)) return js_null(env);
  if (napi_create_buffer_copy(env, sizeof key, &key, &data, &out) != napi_ok) return js_null(env);
  return out;
}

/* verify(hashHex: string, signatureHex: string, point: Buffer(64) from parsePoint) -> boolean */
static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  unsigned char hash[32], compact[64];
  secp256k1_ecdsa_signature sig;
  secp256k1_pubkey key;
  void *point = NULL;
  size_t point_len = 0;
  bool is_buffer = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return js_bool(env, 0);
  if (!hex_arg(env, argv[0], hash, 32) || !hex_arg(env, argv[1], compact, 64)) return js_bool(env, 0);
  if (napi_is_buffer(env, argv[2], &is_buffer) != napi_ok || !is_buffer) return js_bool(env, 0);
  if (napi_get_buffer_info(env, argv[2], &point, &point_len) != napi_ok || point_len != sizeof key) return js_bool(env, 0);
  memcpy(&key, point, sizeof key);
  /* r or s not below the group order: not a signature */
  if (!secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact)) return js_bool(env, 0);
  return js_bool(env, secp256k1_ecdsa_verify(ctx, &sig, hash, &key));
}

/* sign(hashHex: string, secretKeyHex: string) -> string (128 hex) | null for an invalid key */
static napi_value sign(napi_env env, napi_callback_info info) {
  static const char digits[] = "0123456789abcdef";
  size_t argc = 2;
  napi_value argv[2];
  unsigned char hash[32], secret[32], compact[64];
  char text[128];
  secp256k1_ecdsa_signature sig;
  napi_value out;
  int ok;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return js_null(env);
  if (!hex_arg(env, argv[0], hash, 32) || !hex_arg(env, argv[1], secret, 32)) return js_null(env);
  /* NULL nonce function: RFC 6979, the default; the result is always low-S */
  ok = secp256k1_ecdsa_sign(ctx, &sig, hash, secret, NULL, NULL);
  memset(secret, 0, sizeof secret);
  if (!ok) return js_null(env);
  secp256k1_ecdsa_signature_serialize_compact(ctx, compact, &sig);
  for (int i = 0; i < 64; i++) {
    text[2 * i] = digits[compact[i] >> 4];
    text[2 * i + 1] = digits[compact[i] & 15];
  }
  if (napi_create_string_latin1(env, text, sizeof text, &out) != napi_ok) return js_null(env);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"parsePoint", NULL, parse_point, NULL, NULL, NULL, napi_enumerable, NULL},
    {"verify", NULL, verify, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sign", NULL, sign, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  /* One context for the process; the library's own tables are static (0.2 needs no precomputation). */
  if (ctx == NULL) ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
  if (ctx == NULL) return NULL;
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  if (!blockchat_define_tables(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
