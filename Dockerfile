# BlockChat node image (docs/operations.md, "Containers"). Two stages: the build stage compiles
# the TypeScript and the native libsecp256k1 binding (npm ci runs the install and prepare
# scripts), then drops the development packages; the runtime stage holds only what a node runs.
# Build: docker build -t blockchat .      Run: see compose.yaml.

FROM node:20-slim AS build
WORKDIR /app
# What the native binding builds with (npm's node-gyp, Python 3, make, a C compiler, GMP).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libgmp-dev \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY native ./native
COPY src ./src
COPY client ./client
COPY scripts ./scripts
COPY bin ./bin
RUN npm ci --no-audit --no-fund \
 && test -f native/build/Release/blockchat_secp256k1.node \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
# GMP at run time, for the binding built against it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgmp10 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown node:node /data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/native/build/Release/blockchat_secp256k1.node ./native/build/Release/
COPY src/node/explorer ./src/node/explorer
COPY transactions ./transactions
ENV NODE_ENV=production \
    BLOCKCHAT_DATA_DIR=/data \
    BLOCKCHAT_PORT=5000
USER node
VOLUME ["/data"]
EXPOSE 5000
# Ready: formed and caught up (GET /readyz answers 200). The node binds BLOCKCHAT_HOST.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://${process.env.BLOCKCHAT_HOST ?? '127.0.0.1'}:${process.env.BLOCKCHAT_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/blockchat.js"]
CMD ["node"]
