{
  # Built by native/build.mjs (npm's prepare) only where the system has libsecp256k1-dev;
  # src/core/crypto.ts falls back to the secp256k1 package's bundled build, then to noble.
  # build.mjs passes, through the environment, where the secp256k1 package's libsecp256k1
  # sources are (verify_tables.c compiles their field, scalar and group code) and whether GMP's
  # headers are installed (for a fast scalar inverse).
  'variables': {
    'secp256k1_src': '<!(node -p "process.env.BLOCKCHAT_SECP256K1_SRC")',
    'with_gmp': '<!(node -p "process.env.BLOCKCHAT_WITH_GMP")',
  },
  'targets': [
    {
      'target_name': 'blockchat_secp256k1',
      'sources': ['secp256k1_system.c'],
      'dependencies': ['verify_tables'],
      'libraries': ['-lsecp256k1'],
      'cflags': ['-O2', '-Wall', '-Wextra'],
      'conditions': [['with_gmp==1', {'libraries': ['-lgmp']}]],
    },
    {
      'target_name': 'verify_tables',
      'type': 'static_library',
      'sources': ['verify_tables.c'],
      'include_dirs': ['<(secp256k1_src)', '<(secp256k1_src)/src'],
      # the settings the secp256k1 package builds this release with
      'defines': ['USE_ENDOMORPHISM=1', 'ECMULT_GEN_PREC_BITS=4', 'ECMULT_WINDOW_SIZE=15'],
      'cflags': ['-O2', '-Wall', '-Wextra', '-Wno-unused-function', '-Wno-nonnull-compare'],
      'conditions': [
        ['with_gmp==1', {
          'defines': ['USE_NUM_GMP=1', 'USE_FIELD_INV_NUM=1', 'USE_SCALAR_INV_NUM=1'],
        }, {
          'defines': ['USE_NUM_NONE=1', 'USE_FIELD_INV_BUILTIN=1', 'USE_SCALAR_INV_BUILTIN=1'],
        }],
        ['target_arch=="x64"', {
          'defines': ['HAVE___INT128=1', 'USE_ASM_X86_64=1', 'USE_FIELD_5X52=1', 'USE_SCALAR_4X64=1'],
        }, {
          'defines': ['USE_FIELD_10X26=1', 'USE_SCALAR_8X32=1'],
        }],
      ],
    },
  ],
}
