/**
 * Lowering: the staging evaluator that turns a parsed .dl program into IR.
 *
 * <p>{@link dlc.frontend.lower.FileLowering} is the entry (used by the driver
 * {@code dlc.frontend.Compiler}, which then builds the training steps; this package never uses
 * {@code dlc.frontend.train}, whose steps are built on it):
 * {@link dlc.frontend.lower.ModuleLoader} loads imports and declares top-level names,
 * {@link dlc.frontend.lower.ModelLowering} evaluates a model body twice (train and eval). The
 * evaluator ({@link dlc.frontend.lower.Interp}) computes compile-time values ({@link
 * dlc.frontend.lower.Val}) and emits IR nodes into the graph being built ({@link
 * dlc.frontend.lower.GraphCtx}, which also captures outer values into scan bodies). Its helpers
 * each own one part of the language: operators, calls and typed formals ({@code Calls},
 * {@code TypePatterns}), indexing, members, model statements ({@code ModelStmts}) and the builtin
 * table, one file per family ({@code Builtins*}). {@code Frame} tracks inlined calls for
 * diagnostics notes, parameter scope paths and random-stream salts.
 *
 * <p>{@link dlc.frontend.lower.Staging} and {@link dlc.frontend.lower.StagedGraph} let the
 * training-step construction ({@code dlc.frontend.train}) evaluate train settings and stage calls
 * of .dl functions (optimizers) into new graphs with this same evaluator.
 *
 * <p>User mistakes are {@link dlc.frontend.lower.CompileError}s caught at statement boundaries
 * and collected by the {@code Reporter}; compiler bugs are ordinary exceptions.
 */
package dlc.frontend.lower;
