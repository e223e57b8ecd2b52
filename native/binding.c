/*
 * BlockChat's binding to libsecp256k1: signing, verification, point parsing and verification
 * with a precomputed table per key (key_tables_impl.h).
 *
 * One library, one translation unit: this file includes the libsecp256k1 source that the
 * `secp256k1` npm package ships (5.0.2, pinned by package-lock.json; native/build.mjs checks the
 * version), a development snapshot of late 2019 ("0.1" in its configure.ac; the package's
 * binding.gyp takes its settings from upstream commit 544002c of 24 Nov 2019), MIT-licensed
 * (COPYING in the package's src/secp256k1). So the library's API used here and the field,
 * scalar and group code the key tables use are the same code, compiled with the same options
 * (set in binding.gyp, nowhere else). Nothing is linked from the system but GMP, optionally,
 * for variable-time inverses.
 *
 * Everything exported but randomize and trimHeap is a pure function of its arguments: deterministic RFC 6979 signing (no
 * extra entropy, as noble), low-S only (libsecp256k1 signs low-S and refuses high-S when
 * verifying). Hex arguments must be lower-case hex of the exact length (napi_args.h); anything
 * else (wrong length, upper case, non-hex or non-ASCII text, a non-string, a scalar out of
 * range, a point off the curve) gives false or null, never an exception.
 */
#include "src/secp256k1.c"

#include <node_api.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "napi_args.h"
#include "key_tables_impl.h"

/* The options binding.gyp must set: a build without them is not the one the tests measured. */
#ifndef BLOCKCHAT_SECP256K1_PACKAGE
#error "binding.gyp sets BLOCKCHAT_SECP256K1_PACKAGE, the version of the secp256k1 package compiled here"
#endif
#ifndef USE_ENDOMORPHISM
#error "binding.gyp enables the GLV endomorphism (USE_ENDOMORPHISM): verification takes a third longer without it"
#endif
#if defined(USE_NUM_GMP) && defined(USE_SCALAR_INV_NUM) && defined(USE_FIELD_INV_NUM)
#define BLOCKCHAT_INVERSES "GMP inverses"
#elif defined(USE_NUM_NONE) && defined(USE_SCALAR_INV_BUILTIN) && defined(USE_FIELD_INV_BUILTIN)
#define BLOCKCHAT_INVERSES "built-in inverses"
#else
#error "binding.gyp chooses GMP or built-in inverses, for both the field and the scalar"
#endif
#define BLOCKCHAT_LIBRARY \
  "libsecp256k1 of secp256k1@" BLOCKCHAT_SECP256K1_PACKAGE ", GLV endomorphism, " BLOCKCHAT_INVERSES

/* One context for the process: made by the first load of the module, never freed. */
static secp256k1_context *ctx;

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
  size_t argc = 2;
  napi_value argv[2];
  unsigned char hash[32], secret[32], compact[64];
  secp256k1_ecdsa_signature sig;
  int ok;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return js_null(env);
  if (!hex_arg(env, argv[0], hash, 32) || !hex_arg(env, argv[1], secret, 32)) return js_null(env);
  /* NULL nonce function: RFC 6979, the default; the result is always low-S */
  ok = secp256k1_ecdsa_sign(ctx, &sig, hash, secret, NULL, NULL);
  memset(secret, 0, sizeof secret);
  if (!ok) return js_null(env);
  secp256k1_ecdsa_signature_serialize_compact(ctx, compact, &sig);
  return js_hex(env, compact, sizeof compact);
}

/* addressOf(secretKeyHex: string) -> string (66 hex: the compressed public key) | null */
static napi_value address_of(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  unsigned char secret[32], compressed[33];
  size_t len = sizeof compressed;
  secp256k1_pubkey key;
  int ok;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return js_null(env);
  if (!hex_arg(env, argv[0], secret, 32)) return js_null(env);
  ok = secp256k1_ec_pubkey_create(ctx, &key, secret);
  memset(secret, 0, sizeof secret);
  if (!ok) return js_null(env);
  secp256k1_ec_pubkey_serialize(ctx, compressed, &len, &key, SECP256K1_EC_COMPRESSED);
  return js_hex(env, compressed, len);
}

/*
 * randomize(seed: Buffer(32)) -> boolean: blinds the context's signing computations with the
 * caller's random bytes (libsecp256k1's side-channel protection; signatures do not change, RFC
 * 6979 stays deterministic). The module calls it once as it loads (src/crypto/native.ts); false
 * for anything but 32 bytes, or if the library refuses the seed.
 */
static napi_value randomize(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  size_t len = 0;
  bool is_buffer = false;
  unsigned char seed[32];
  int ok;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return js_bool(env, 0);
  if (napi_is_buffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer) return js_bool(env, 0);
  if (napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok || len != sizeof seed) return js_bool(env, 0);
  memcpy(seed, data, sizeof seed);
  ok = secp256k1_context_randomize(ctx, seed);
  memset(seed, 0, sizeof seed);
  return js_bool(env, ok);
}

/* library(): what this build is, for the node's status and the benchmarks. */
static napi_value library(napi_env env, napi_callback_info info) {
  napi_value out;
  (void)info;
  if (napi_create_string_utf8(env, BLOCKCHAT_LIBRARY, NAPI_AUTO_LENGTH, &out) != napi_ok) return js_null(env);
  return out;
}

/*
 * trimHeap() -> boolean: gives the C library's free memory back to the system (glibc's
 * malloc_trim(0): every free page, not only the top of the heap). A loaded node frees most of
 * what it allocates outside V8 (socket and HTTP buffers, LevelDB's batches), but glibc returns
 * only the top of its heap by itself: the free pages in between stayed resident (half of a node's
 * resident memory after 130,000 transfers). True if memory was returned; false when nothing
 * was, or where the C library is not glibc. Not a function of its arguments, like randomize.
 */
static napi_value trim_heap(napi_env env, napi_callback_info info) {
  (void)info;
#if defined(__GLIBC__)
  return js_bool(env, malloc_trim(0));
#else
  return js_bool(env, 0);
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"parsePoint", NULL, parse_point, NULL, NULL, NULL, napi_enumerable, NULL},
    {"verify", NULL, verify, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sign", NULL, sign, NULL, NULL, NULL, napi_enumerable, NULL},
    {"addressOf", NULL, address_of, NULL, NULL, NULL, napi_enumerable, NULL},
    {"library", NULL, library, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tableOf", NULL, table_of_address, NULL, NULL, NULL, napi_enumerable, NULL},
    {"verifyWith", NULL, verify_with_table, NULL, NULL, NULL, napi_enumerable, NULL},
    {"prepare", NULL, prepare, NULL, NULL, NULL, napi_enumerable, NULL},
    {"randomize", NULL, randomize, NULL, NULL, NULL, napi_enumerable, NULL},
    {"trimHeap", NULL, trim_heap, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  /* This release builds the signing and verification tables in the context (~1 MB, ~10 ms). */
  if (ctx == NULL) ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
  if (ctx == NULL) return NULL;
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
