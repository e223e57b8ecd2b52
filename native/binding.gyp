{
  # One target, one translation unit (binding.c): the libsecp256k1 source that the secp256k1 npm
  # package ships, compiled together with our N-API glue and key tables. Built by
  # native/build.mjs (npm's prepare), which checks the package's version first. Every option the
  # library is compiled with is set here, and only here.
  'variables': {
    'secp256k1_package': '<!(node -p "require(\'path\').dirname(require.resolve(\'secp256k1/package.json\'))")',
    'secp256k1_version': '<!(node -p "require(\'secp256k1/package.json\').version")',
    # build.mjs passes 1 where GMP's headers are installed (libgmp-dev): see below
    'with_gmp%': '<!(node -p "process.env.BLOCKCHAT_WITH_GMP === \'1\' ? 1 : 0")',
  },
  'targets': [
    {
      'target_name': 'blockchat_secp256k1',
      'sources': ['binding.c'],
      'include_dirs': ['<(secp256k1_package)/src/secp256k1', '<(secp256k1_package)/src/secp256k1/src'],
      'cflags': ['-O2', '-Wall', '-Wextra', '-Wno-unused-function', '-Wno-nonnull-compare'],
      'defines': [
        'NAPI_VERSION=8',
        'BLOCKCHAT_SECP256K1_PACKAGE="<(secp256k1_version)"',
        # The settings the secp256k1 package builds this release with (its binding.gyp):
        # windows of 15 bits for G in verification, 4-bit teeth for G in signing, and the GLV
        # endomorphism (u·Q as two half-length multiplications), which the release keeps
        # behind an "experimental" flag and every libsecp256k1 since 0.2 has always on.
        'ECMULT_WINDOW_SIZE=15',
        'ECMULT_GEN_PREC_BITS=4',
        'USE_ENDOMORPHISM=1',
      ],
      'conditions': [
        # GMP: variable-time field and scalar inverses (a verification needs one of each), far
        # faster than this release's constant-time exponentiations; the results are the same.
        ['with_gmp==1', {
          'defines': ['USE_NUM_GMP=1', 'USE_FIELD_INV_NUM=1', 'USE_SCALAR_INV_NUM=1'],
          'libraries': ['-lgmp'],
        }, {
          'defines': ['USE_NUM_NONE=1', 'USE_FIELD_INV_BUILTIN=1', 'USE_SCALAR_INV_BUILTIN=1'],
        }],
        ['target_arch=="x64" and OS!="win"', {
          'defines': ['HAVE___INT128=1', 'USE_ASM_X86_64=1', 'USE_FIELD_5X52=1', 'USE_SCALAR_4X64=1'],
        }, {
          'defines': ['USE_FIELD_10X26=1', 'USE_SCALAR_8X32=1'],
        }],
      ],
    },
  ],
}
