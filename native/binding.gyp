{
  # Built by native/build.mjs (npm's prepare) only where the system has libsecp256k1-dev;
  # src/core/crypto.ts falls back to the secp256k1 package's bundled build, then to noble.
  'targets': [
    {
      'target_name': 'blockchat_secp256k1',
      'sources': ['secp256k1_system.c'],
      'libraries': ['-lsecp256k1'],
      'cflags': ['-O2', '-Wall', '-Wextra'],
    },
  ],
}
