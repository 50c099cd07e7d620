/**
 * The layer rules of ARCHITECTURE.md ("Never: …"), checked by `npm run lint`:
 * data flows from the transports down to the domain, never back up, and never sideways
 * between the two transports.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other: one of them has the wrong responsibility.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'realtime-not-http',
      severity: 'error',
      comment: 'The transports share what they share through server/edge, never through each other.',
      from: { path: '^server/realtime/' },
      to: { path: '^server/http/' },
    },
    {
      name: 'http-not-realtime',
      severity: 'error',
      from: { path: '^server/http/' },
      to: { path: '^server/realtime/' },
    },
    {
      name: 'transport-not-backend',
      severity: 'error',
      comment: 'A transport reaches state only through the services.',
      from: { path: '^server/(http|realtime|edge)/' },
      to: { path: '^server/backend/' },
    },
    {
      name: 'edge-not-transport',
      severity: 'error',
      comment: 'server/edge is below both transports.',
      from: { path: '^server/edge/' },
      to: { path: '^server/(http|realtime)/' },
    },
    {
      name: 'services-not-transport',
      severity: 'error',
      comment: 'Use cases, webhook delivery and metrics know nothing of HTTP routes or sockets.',
      from: { path: '^server/(services|webhooks|metrics)/' },
      to: { path: '^server/(http|realtime|edge)/' },
    },
    {
      name: 'domain-only-shared',
      severity: 'error',
      comment: 'The domain is pure: it imports only the wire protocol (shared/) and itself.',
      from: { path: '^server/domain/' },
      // node:crypto (ids and secrets) is the one kind of import from outside it may use.
      to: { pathNot: '^(server/domain|shared)/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'shared-is-a-leaf',
      severity: 'error',
      comment: 'shared/ is the wire protocol: it imports nothing of the server or the clients.',
      from: { path: '^shared/' },
      to: { pathNot: '^shared/' },
    },
    {
      name: 'client-not-server',
      severity: 'error',
      comment: 'Browser and app code carries no server code.',
      from: { path: '^client/' },
      to: { path: '^server/' },
    },
    {
      name: 'client-no-server-packages',
      severity: 'error',
      comment: 'A website or app installs the client: no Node built-ins, no server packages.',
      from: { path: '^client/' },
      to: {
        path: ['node_modules/(express|redis|@redis|socket\\.io|@socket\\.io/redis-adapter|jsonwebtoken|proxy-addr|bowser|cookie|zod)/'],
        pathNot: 'node_modules/socket\\.io-client/',
      },
    },
    {
      name: 'client-no-node-builtins',
      severity: 'error',
      comment: 'Browser and app code runs where Node is not; only @qrlogin/node (client/node) is for Node.',
      from: { path: '^client/', pathNot: '^client/node/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'only-index-wires',
      severity: 'error',
      comment: 'server/app.ts wires everything and server/index.ts starts it: nothing inside the server imports either.',
      from: { path: '^server/', pathNot: '^server/index\\.ts$' },
      to: { path: '^server/(app|index)\\.ts$' },
    },
    {
      name: 'product-not-tests',
      severity: 'error',
      comment: 'Nothing shipped imports test or benchmark code.',
      from: { path: '^(server|shared|client)/' },
      to: { path: '^(tests|bench)/' },
    },
    {
      name: 'backend-not-above',
      severity: 'error',
      comment: 'Backends implement the store contract; they do not call services or transports.',
      from: { path: '^server/backend/' },
      to: { path: '^server/(services|http|realtime|edge|config)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
