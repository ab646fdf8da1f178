/**
 * Marks the explorer tree's nodes (src/tree/nodes.ts, insideNodes.ts), so that a command's argument parser
 * (src/commands/contract.ts) knows a node from a plain object without importing the tree (which needs vscode), and a
 * plain object from another extension cannot pass for a node: nothing outside this extension holds the symbol.
 */
export const TREE_NODE: unique symbol = Symbol('vcluster explorer tree node');
