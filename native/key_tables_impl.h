/*
 * ECDSA verification with a precomputed table per public key.
 *
 * Why: every node verifies every transaction, and a network has few senders (one wallet per
 * node), each signing thousands of times. libsecp256k1 computes u1·G + u2·Q from scratch for
 * each signature: ~128 doublings plus a table of Q built on the fly. With Q fixed, the work can
 * be done once per key instead: a table of d·256^i·Q for every byte position i and signed digit
 * d in 1..128, so that u·Q is a sum of 33 table points and no doubling at all (likewise for G,
 * with wider windows). A verification then costs well under half of libsecp256k1's (measured
 * through N-API, CPU time with GMP: 16 µs against 41; scripts/bench-crypto.ts).
 *
 * The arithmetic is libsecp256k1's own: binding.c includes the library's source before this
 * file, so the field, scalar and group code here is the very code its verifier runs, compiled
 * once with the options of binding.gyp; only the fixed-base multiplication is this file's. The
 * scalar inverse is GMP's where binding.gyp enables it (a verifier needs no constant time:
 * everything it handles is public).
 *
 * Checks, identical to libsecp256k1's verifier and to noble's with low-S: r and s in [1, n-1],
 * s ≤ n/2, the hash read as a 256-bit number mod n, R = u1·G + u2·Q not infinity and
 * x(R) ≡ r (mod n). Malformed input (wrong length, upper-case or non-hex text, a point off the
 * curve) gives false or null, never an exception.
 */
#ifndef BLOCKCHAT_KEY_TABLES_IMPL_H
#define BLOCKCHAT_KEY_TABLES_IMPL_H

#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "napi_args.h"

/*
 * A table of P for windows of `bits` bits: points[i · row + d − 1] = d · 2^(bits · i) · P for
 * the signed digits d in 1..row (row = 2^(bits − 1)), in the 64-byte affine form the library
 * stores points in, each in one cache line. A scalar has 256 / bits + 1 digits (the last takes
 * the carry). A key's table uses bytes (33 digits, 270 KB); G's, shared by every verification,
 * 12 bits (22 digits, 2.9 MB, made once): 55 additions per signature instead of 66.
 */
typedef struct {
  int bits, digits, row;
  secp256k1_ge_storage *points;
} key_table;

#define KEY_BITS 8
#define G_BITS 12
/* the most digits of any table: the key tables have the narrowest windows */
#define MAX_DIGITS (256 / KEY_BITS + 1)
_Static_assert(G_BITS >= KEY_BITS, "add_multiple sizes its digit arrays for the key tables");

static key_table *g_table;

/* Marks the externals that are key tables: verifyWith refuses any other external. */
static const napi_type_tag key_table_tag = {0x626c6f636b636861ULL, 0x742d6b65792d7462ULL};

static size_t table_bytes(const key_table *t) {
  return (size_t)t->digits * (size_t)t->row * sizeof(secp256k1_ge_storage);
}

static void free_key_table(key_table *t) {
  if (t != NULL) free(t->points);
  free(t);
}

static key_table *table_of(const secp256k1_ge *p, int bits) {
  key_table *t = malloc(sizeof *t);
  int row = 1 << (bits - 1), i, d;
  secp256k1_gej *multiples = malloc(sizeof(secp256k1_gej) * row);
  secp256k1_ge *affine = malloc(sizeof(secp256k1_ge) * row);
  secp256k1_ge base = *p;
  secp256k1_gej next;
  if (t != NULL) {
    t->bits = bits;
    t->row = row;
    t->digits = 256 / bits + 1;
    t->points = aligned_alloc(64, table_bytes(t)); /* a multiple of 64 bytes */
  }
  if (t == NULL || t->points == NULL || multiples == NULL || affine == NULL) {
    free_key_table(t);
    free(multiples);
    free(affine);
    return NULL;
  }
  for (i = 0; i < t->digits; i++) {
    secp256k1_gej_set_ge(&multiples[0], &base);
    for (d = 1; d < row; d++) secp256k1_gej_add_ge_var(&multiples[d], &multiples[d - 1], &base, NULL);
    /* one field inversion for the whole row */
    secp256k1_ge_set_all_gej_var(affine, multiples, row);
    for (d = 0; d < row; d++) secp256k1_ge_to_storage(&t->points[(size_t)i * row + d], &affine[d]);
    /* the next row's base: 2^bits · base = 2 · (row · base) */
    secp256k1_gej_double_var(&next, &multiples[row - 1], NULL);
    secp256k1_ge_set_gej(&base, &next);
  }
  free(multiples);
  free(affine);
  return t;
}

/* acc += u · P, where t is P's table: one addition per nonzero digit. */
static void add_multiple(secp256k1_gej *acc, const key_table *t, const secp256k1_scalar *u) {
  const secp256k1_ge_storage *entry[MAX_DIGITS];
  int negative[MAX_DIGITS];
  secp256k1_ge point;
  int i, used = 0, carry = 0;
  for (i = 0; i < t->digits; i++) {
    int offset = i * t->bits;
    int width = offset >= 256 ? 0 : (256 - offset < t->bits ? 256 - offset : t->bits);
    int digit = (width > 0 ? (int)secp256k1_scalar_get_bits_var(u, offset, width) : 0) + carry;
    carry = digit > t->row;
    if (carry) digit -= 2 * t->row;
    if (digit == 0) continue;
    negative[used] = digit < 0;
    entry[used] = &t->points[(size_t)i * t->row + (digit > 0 ? digit : -digit) - 1];
    /* a node holds several tables, more than the cache: fetch every point before adding any
       (measured: 8.9 µs against 9.3–11.3 µs per 33 additions with 30 tables in use) */
    __builtin_prefetch(entry[used]);
    used++;
  }
  for (i = 0; i < used; i++) {
    secp256k1_ge_from_storage(&point, entry[i]);
    if (negative[i]) secp256k1_ge_neg(&point, &point);
    secp256k1_gej_add_ge_var(acc, acc, &point, NULL);
  }
}

/* n and p − n as field elements, for the x(R) ≥ n case (as libsecp256k1's verifier) */
static const secp256k1_fe order_as_fe = SECP256K1_FE_CONST(
    0xFFFFFFFFUL, 0xFFFFFFFFUL, 0xFFFFFFFFUL, 0xFFFFFFFEUL,
    0xBAAEDCE6UL, 0xAF48A03BUL, 0xBFD25E8CUL, 0xD0364141UL);
static const secp256k1_fe p_minus_order = SECP256K1_FE_CONST(
    0, 0, 0, 1, 0x45512319UL, 0x50B75FC4UL, 0x402DA172UL, 0x2FC9BAEEUL);

static int verify_with(const key_table *q, const unsigned char *sig64, const unsigned char *hash32) {
  secp256k1_scalar r, s, m, s_inv, u1, u2;
  secp256k1_gej sum;
  secp256k1_fe xr;
  int overflow;
  secp256k1_scalar_set_b32(&r, sig64, &overflow);
  if (overflow || secp256k1_scalar_is_zero(&r)) return 0;
  secp256k1_scalar_set_b32(&s, sig64 + 32, &overflow);
  if (overflow || secp256k1_scalar_is_zero(&s) || secp256k1_scalar_is_high(&s)) return 0;
  secp256k1_scalar_set_b32(&m, hash32, NULL); /* reduced mod n */
  secp256k1_scalar_inverse_var(&s_inv, &s);
  secp256k1_scalar_mul(&u1, &s_inv, &m);
  secp256k1_scalar_mul(&u2, &s_inv, &r);
  secp256k1_gej_set_infinity(&sum);
  add_multiple(&sum, g_table, &u1);
  add_multiple(&sum, q, &u2);
  if (secp256k1_gej_is_infinity(&sum)) return 0;
  /* x(R) = X/Z² is compared as r·Z² = X, without an inversion; x(R) may also be r + n < p */
  secp256k1_fe_set_b32(&xr, sig64);
  if (secp256k1_gej_eq_x_var(&xr, &sum)) return 1;
  if (secp256k1_fe_cmp_var(&xr, &p_minus_order) >= 0) return 0;
  secp256k1_fe_add(&xr, &order_as_fe);
  return secp256k1_gej_eq_x_var(&xr, &sum);
}

/* ------------------------------------------------------------------ N-API */

static void free_table(napi_env env, void *data, void *hint) {
  key_table *t = data;
  int64_t ignored;
  (void)hint;
  napi_adjust_external_memory(env, -(int64_t)table_bytes(t), &ignored);
  free_key_table(t);
}

/* G's table, made once: by prepare() where a node starts, else with the first key's table. */
static int make_g_table(void) {
  if (g_table == NULL) g_table = table_of(&secp256k1_ge_const_g, G_BITS);
  return g_table != NULL;
}

/*
 * prepare() -> boolean: makes G's table now (~25 ms). A node calls it as it starts, so that the
 * first busy second of a network does not stall every node at once to make it.
 */
static napi_value prepare(napi_env env, napi_callback_info info) {
  (void)info;
  return js_bool(env, make_g_table());
}

/*
 * tableOf(addressHex: string) -> External | null: the table of a compressed point (~2.5 ms,
 * 270 KB). The first call also makes G's (~25 ms, once per process).
 */
static napi_value table_of_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  unsigned char bytes[33];
  secp256k1_fe x;
  secp256k1_ge point;
  key_table *t;
  int64_t ignored;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return js_null(env);
  if (!hex_arg(env, argv[0], bytes, 33) || (bytes[0] != 2 && bytes[0] != 3)) return js_null(env);
  if (!secp256k1_fe_set_b32(&x, bytes + 1) || !secp256k1_ge_set_xo_var(&point, &x, bytes[0] == 3)) return js_null(env);
  if (!make_g_table()) return js_null(env);
  t = table_of(&point, KEY_BITS);
  if (t == NULL) return js_null(env);
  if (napi_create_external(env, t, free_table, NULL, &out) != napi_ok) {
    free_key_table(t);
    return js_null(env);
  }
  napi_adjust_external_memory(env, (int64_t)table_bytes(t), &ignored);
  /* untagged, it is of no use: the collector frees it */
  if (napi_type_tag_object(env, out, &key_table_tag) != napi_ok) return js_null(env);
  return out;
}

/* verifyWith(table: External from tableOf, hashHex: string, signatureHex: string) -> boolean */
static napi_value verify_with_table(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_valuetype type;
  unsigned char hash[32], sig[64];
  void *table = NULL;
  bool tagged = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return js_bool(env, 0);
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external) return js_bool(env, 0);
  if (napi_check_object_type_tag(env, argv[0], &key_table_tag, &tagged) != napi_ok || !tagged) return js_bool(env, 0);
  if (napi_get_value_external(env, argv[0], &table) != napi_ok || table == NULL) return js_bool(env, 0);
  if (!hex_arg(env, argv[1], hash, 32) || !hex_arg(env, argv[2], sig, 64)) return js_bool(env, 0);
  return js_bool(env, verify_with((const key_table *)table, sig, hash));
}

#endif
