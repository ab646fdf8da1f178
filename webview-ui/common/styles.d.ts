// A page imports its style sheets for their side effect: esbuild bundles them, in import order, into dist/<page>.css.
declare module '*.css';
