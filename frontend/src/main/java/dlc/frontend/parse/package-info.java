/**
 * From .dl text to {@link dlc.frontend.ast.Ast}: {@link dlc.frontend.parse.SourceParser#parse} is the
 * entry point. The stages, each in its own class:
 * <ol>
 *   <li>{@code DiagnosingLexer}: the grammar's lexer, repairing strings not closed on their line;</li>
 *   <li>{@code TokenChecks}: unknown characters (hidden from the parser), unterminated strings and
 *       unbalanced brackets, all found in the token list;</li>
 *   <li>the generated {@code DlParser} with {@code SyntaxErrorStrategy} (ANTLR's recovery, plus a
 *       resync at the top level) reporting through {@code SyntaxMessages}, which names the likely
 *       mistake in words;</li>
 *   <li>{@code SyntaxErrorSink}: keeps first causes, drops consequences, caps the count;</li>
 *   <li>{@link dlc.frontend.parse.AstBuilder}: parse tree to AST with spans from the tokens.</li>
 * </ol>
 */
package dlc.frontend.parse;
