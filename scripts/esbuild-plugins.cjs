// esbuild plugins for the Lambda bundles (serverless.yml custom.esbuild.plugins).
'use strict';

/**
 * zod's `z` namespace carries `z.locales`, the error messages of 40-odd languages (258 KB of the
 * 960 KB bundle), which esbuild cannot drop because `z` is imported as one object. trailwatch
 * never switches language: zod configures English itself (`config(en())` in classic/external.js,
 * imported from locales/en.js, which stays), so the index of every locale is left out where the
 * classic API and the core re-export it.
 */
const zodLocalesLeftOut = {
  name: 'zod-locales-left-out',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'zod-locales-left-out' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales-left-out' }, () => ({
      contents: 'export {};',
      loader: 'js',
    }));
  },
};

module.exports = [zodLocalesLeftOut];
